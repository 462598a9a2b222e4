"""The local emulator: the AppSync API of schema/ served on 127.0.0.1, backed by the same
Lambda handlers in resolvers/ and an embedded AWS emulation (moto in server mode).

It adds no business logic: it does what AppSync, Lambda and Cognito do around our code.
"""
