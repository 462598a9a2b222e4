"""Load a folder of tagged music files into the catalog through the API (`python -m tools.import_music DIR`).

tags.py walks the folder and reads tags and covers; genres.py maps tag genres onto the
vocabulary; plan.py groups tracks into artists and albums with their import keys; api.py
talks GraphQL and uploads; importer.py runs it all; progress.py draws the bar.
"""
