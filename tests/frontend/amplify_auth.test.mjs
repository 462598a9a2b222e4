// Amplify JS v6 against the local API, as a frontend uses it: Auth on the local user pool
// (sign-up, emailed code, SRP sign-in, refresh, sign-out) and the GraphQL client with both
// auth modes. Started by tests/integration/test_amplify.py, which runs an emulator and passes
// its root URL in EMULATOR_URL: `node --test tests/frontend/` with EMULATOR_URL set works too.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { before, test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { CONNECTION_STATE_CHANGE, generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import {
	confirmSignUp,
	fetchAuthSession,
	signIn,
	signOut,
	signUp,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

const BASE = process.env.EMULATOR_URL;
const PASSWORD = 'Amplify-pass1';
const EMAIL = `amplify-${randomUUID().slice(0, 8)}@example.com`;
const NAME = 'Amplify Listener';

const SONGS = 'query { songs(limit: 2) { items { id title } } }';
const FOLLOW = 'mutation($i: FollowInput!) { follow(input: $i) { followedAt } }';
const ON_MY_NEW_CONTENT = 'subscription { onMyNewContent { id artistId title genre } }';
const ON_NEW_CONTENT = 'subscription($artistId: ID) { onNewContent(artistId: $artistId) { id artistId title } }';
// The demo admin the emulator seeds (emulator/seed.py): it creates and releases the songs.
const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'Admin123!';
const ME = 'query { me { id email displayName groups } }';
const LOGIN =
	'mutation($email: AWSEmail!, $password: String!) { login(email: $email, password: $password) { accessToken } }';

let config;
let adminToken;
let outputs;
let client;
const connectionStates = [];

/** Where Amplify keeps the tokens: a Map, as Node has no localStorage; the test reads the refresh token here. */
const tokenStore = new Map();
const memoryStorage = {
	setItem: async (key, value) => void tokenStore.set(key, value),
	getItem: async key => tokenStore.get(key) ?? null,
	removeItem: async key => void tokenStore.delete(key),
	clear: async () => tokenStore.clear(),
};

function storedRefreshToken() {
	return [...tokenStore].find(([key]) => key.endsWith('.refreshToken'))?.[1];
}

/** A Cognito call straight to the user pool endpoint, as Amplify makes it: its HTTP status and error type. */
async function cognito(action, body) {
	const response = await fetch(config.userPoolEndpoint, {
		method: 'POST',
		headers: {
			'content-type': 'application/x-amz-json-1.1',
			'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
		},
		body: JSON.stringify(body),
	});
	const answer = await response.json();
	return { status: response.status, type: answer.__type };
}

async function getJson(path) {
	const response = await fetch(`${BASE}${path}`);
	assert.equal(response.status, 200, `GET ${path}`);
	return response.json();
}

/** The error name Amplify reports for a refused call. */
async function refusal(promise) {
	try {
		await promise;
	} catch (error) {
		return error.name;
	}
	return 'not refused';
}

/** A GraphQL call's error types (Amplify's client rejects with the response when it holds errors),
 * or the name of the error Amplify raised before sending anything. */
async function graphqlErrors(promise) {
	try {
		await promise;
	} catch (response) {
		return response.errors?.map(error => error.errorType ?? error.message) ?? [response.name];
	}
	return [];
}

before(async () => {
	assert.ok(BASE, 'EMULATOR_URL: the local API root, e.g. http://127.0.0.1:4000');
	config = await getJson('/config');
	// The whole setup a frontend writes: Amplify's outputs document (HTTPS URLs, trusted through
	// NODE_EXTRA_CA_CERTS), plus locally the one setting the outputs format has no place for.
	outputs = await getJson('/amplify_outputs.json');
	assert.match(outputs.data.url, /^https:\/\//);
	Amplify.configure(outputs);
	const parsed = Amplify.getConfig();
	Amplify.configure({
		...parsed,
		Auth: { Cognito: { ...parsed.Auth.Cognito, userPoolEndpoint: config.userPoolEndpoint } },
	});
	cognitoUserPoolsTokenProvider.setKeyValueStorage(memoryStorage);
	client = generateClient();
	Hub.listen('api', ({ payload }) => {
		if (payload.event === CONNECTION_STATE_CHANGE) connectionStates.push(payload.data.connectionState);
	});
});

test('sign-up sends a code to the outbox, and the code confirms the account', async () => {
	const { nextStep } = await signUp({
		username: EMAIL,
		password: PASSWORD,
		options: { userAttributes: { email: EMAIL, name: NAME } },
	});
	assert.equal(nextStep.signUpStep, 'CONFIRM_SIGN_UP');
	const mail = await getJson(`/outbox?to=${encodeURIComponent(EMAIL)}`);
	const code = mail.at(-1)?.code;
	assert.match(code ?? '', /^\d{6}$/);
	assert.equal(
		await refusal(confirmSignUp({ username: EMAIL, confirmationCode: code === '000000' ? '111111' : '000000' })),
		'CodeMismatchException',
	);
	const confirmed = await confirmSignUp({ username: EMAIL, confirmationCode: code });
	assert.equal(confirmed.isSignUpComplete, true);
});

test('a wrong password is refused, with SRP and with USER_PASSWORD_AUTH', async () => {
	assert.equal(await refusal(signIn({ username: EMAIL, password: 'Wrong-pass1' })), 'NotAuthorizedException');
	assert.equal(
		await refusal(
			signIn({ username: EMAIL, password: 'Wrong-pass1', options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
		),
		'NotAuthorizedException',
	);
	assert.equal((await fetchAuthSession()).tokens, undefined);
});

test('SRP sign-in (Amplify\'s default) gives tokens with Cognito\'s claims, and the API takes them', async () => {
	const { isSignedIn } = await signIn({ username: EMAIL, password: PASSWORD });
	assert.equal(isSignedIn, true);
	const { tokens } = await fetchAuthSession();
	assert.equal(tokens.idToken.payload.email, EMAIL);
	assert.equal(tokens.idToken.payload.email_verified, true);
	assert.equal(tokens.idToken.payload.name, NAME);
	assert.equal(tokens.accessToken.payload.token_use, 'access');
	assert.equal(tokens.accessToken.payload.client_id, config.userPoolClientId);
	assert.deepEqual(tokens.accessToken.payload['cognito:groups'], ['users']); // the post-confirmation trigger ran

	// userPool mode sends the access token: the resolvers must not need id-token claims.
	const songs = await client.graphql({ query: SONGS });
	assert.ok(Array.isArray(songs.data.songs.items));
	const me = await client.graphql({ query: ME });
	assert.equal(me.data.me.id, tokens.accessToken.payload.sub);
	assert.equal(me.data.me.email, EMAIL);
	assert.equal(me.data.me.displayName, NAME);
});

test('a forced refresh gives new tokens that the API takes', async () => {
	const before = (await fetchAuthSession()).tokens;
	const after = (await fetchAuthSession({ forceRefresh: true })).tokens;
	assert.notEqual(after.accessToken.payload.jti, before.accessToken.payload.jti);
	assert.equal(after.accessToken.payload.sub, before.accessToken.payload.sub);
	assert.equal(after.idToken.payload.email, EMAIL);
	const songs = await client.graphql({ query: SONGS });
	assert.ok(Array.isArray(songs.data.songs.items));
});

test('a guest uses the API key: the guest mutations answer, listener fields refuse', async () => {
	assert.deepEqual(await graphqlErrors(client.graphql({ query: SONGS, authMode: 'apiKey' })), ['Unauthorized']);
	const login = await client.graphql({ query: LOGIN, variables: { email: EMAIL, password: PASSWORD }, authMode: 'apiKey' });
	assert.ok(login.data.login.accessToken);
});

/** A GraphQL call as the seeded admin, over the same HTTPS endpoint (an admin tool, not Amplify). */
async function asAdmin(query, variables = {}) {
	if (!adminToken) {
		const login = await client.graphql({
			query: LOGIN,
			variables: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
			authMode: 'apiKey',
		});
		adminToken = login.data.login.accessToken;
	}
	const response = await fetch(outputs.data.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: adminToken },
		body: JSON.stringify({ query, variables }),
	});
	const answer = await response.json();
	assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
	return answer.data;
}

/** Release a song as the media pipeline does: create it, upload its audio, S3 → processor → READY → fan-out. */
async function release(artistId, genre, title) {
	const { createSong } = await asAdmin(
		'mutation($i: CreateSongInput!) { createSong(input: $i) { id } }',
		{ i: { title, artistId, genre } },
	);
	const audio = await readFile(process.env.AMPLIFY_WAV);
	const { requestUpload } = await asAdmin(
		'mutation($i: UploadRequestInput!) { requestUpload(input: $i) { url fields { name value } } }',
		{ i: { kind: 'AUDIO', songId: createSong.id, contentType: 'audio/wav', sizeBytes: audio.length } },
	);
	const form = new FormData();
	for (const { name, value } of requestUpload.fields) form.append(name, value);
	form.append('file', new Blob([audio], { type: 'audio/wav' }), 'tone.wav');
	const upload = await fetch(requestUpload.url, { method: 'POST', body: form });
	assert.ok([200, 204].includes(upload.status), `upload: ${upload.status}`);
	return createSong.id;
}

async function until(condition, what, seconds = 45) {
	const deadline = Date.now() + seconds * 1000;
	while (!(await condition())) {
		assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

test('onMyNewContent over wss: exactly the release of a followed artist, none of another', async () => {
	const suffix = randomUUID().slice(0, 8);
	const artist = name => asAdmin('mutation($n: String!) { createArtist(input: {name: $n}) { id } }', { n: name });
	const followed = (await artist(`Followed ${suffix}`)).createArtist.id;
	const other = (await artist(`Other ${suffix}`)).createArtist.id;
	await client.graphql({ query: FOLLOW, variables: { i: { artistId: followed } } });

	const mine = [];
	const control = []; // the other artist's own subscribers: proof that its release was published
	const failures = [];
	const subscriptions = [
		client.graphql({ query: ON_MY_NEW_CONTENT }).subscribe({
			next: ({ data }) => mine.push(data.onMyNewContent),
			error: error => failures.push(error),
		}),
		client.graphql({ query: ON_NEW_CONTENT, variables: { artistId: other } }).subscribe({
			next: ({ data }) => control.push(data.onNewContent),
			error: error => failures.push(error),
		}),
	];
	try {
		assert.equal(typeof WebSocket, 'function', 'a global WebSocket (Node 22+, or --experimental-websocket)');
		const seen = () => `${JSON.stringify(connectionStates)} ${JSON.stringify(failures.map(f => f.errors ?? f.message))}`;
		await until(() => connectionStates.includes('Connected'), `Amplify's connection state Connected: ${seen()}`);
		const mySub = (await fetchAuthSession()).tokens.accessToken.payload.sub;
		const mineOpen = async () =>
			(await getJson('/subscriptions')).filter(s => s.subscriber === `user ${mySub}`).length === 2;
		await until(mineOpen, 'both subscriptions registered');

		const unfollowedSong = await release(other, 'metal', `Not for me ${suffix}`);
		const followedSong = await release(followed, 'jazz', `For me ${suffix}`);
		await until(() => control.length >= 1 && mine.length >= 1, 'both releases announced');
		await new Promise(resolve => setTimeout(resolve, 1500)); // room for a wrong delivery to show up
		assert.deepEqual(failures, []);
		assert.deepEqual(control.map(event => event.id), [unfollowedSong]);
		assert.deepEqual(mine.map(event => event.id), [followedSong]);
		assert.equal(mine[0].artistId, followed);
	} finally {
		for (const subscription of subscriptions) subscription.unsubscribe();
	}
});

const QUEUE_FIELDS = 'ownerId songIds currentIndex positionMs device version';
const ON_PLAY_QUEUE_CHANGED = `subscription { onPlayQueueChanged { ${QUEUE_FIELDS} } }`;
const SAVE_PLAY_QUEUE = `mutation($i: PlayQueueInput!) { savePlayQueue(input: $i) { ${QUEUE_FIELDS} } }`;

test('onPlayQueueChanged over wss: the laptop hears the phone\'s save, never another listener\'s', async () => {
	const songIds = (await client.graphql({ query: SONGS })).data.songs.items.map(song => song.id);
	const heard = [];
	const failures = [];
	// The laptop: this Amplify client, subscribed to its own listener's queue.
	const subscription = client.graphql({ query: ON_PLAY_QUEUE_CHANGED }).subscribe({
		next: ({ data }) => heard.push(data.onPlayQueueChanged),
		error: error => failures.push(error),
	});
	try {
		const mySub = (await fetchAuthSession()).tokens.accessToken.payload.sub;
		const open = async () =>
			(await getJson('/subscriptions')).some(
				s => s.subscriber === `user ${mySub}` && s.field === 'onPlayQueueChanged',
			);
		await until(open, 'the onPlayQueueChanged subscription registered');

		// Another listener (the seeded admin) saves their own queue first: it must not reach the laptop.
		const { playQueue } = await asAdmin('query { playQueue { version } }');
		await asAdmin(SAVE_PLAY_QUEUE, {
			i: { songIds, currentIndex: 0, positionMs: 0, device: 'admin desk', expectedVersion: playQueue?.version },
		});
		// The phone: the same listener on another connection, saving over HTTPS with its own token.
		const token = (await fetchAuthSession()).tokens.accessToken.toString();
		const phoneSave = await fetch(outputs.data.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: token },
			body: JSON.stringify({
				query: SAVE_PLAY_QUEUE,
				variables: { i: { songIds, currentIndex: 1, positionMs: 42000, device: 'phone' } },
			}),
		});
		const saved = await phoneSave.json();
		assert.equal(saved.errors, undefined, JSON.stringify(saved.errors));

		await until(() => heard.length >= 1, 'the phone\'s save heard on the laptop');
		await new Promise(resolve => setTimeout(resolve, 1500)); // room for a wrong delivery to show up
		assert.deepEqual(failures, []);
		assert.deepEqual(heard, [saved.data.savePlayQueue]);
		assert.equal(heard[0].ownerId, mySub);
		assert.equal(heard[0].device, 'phone');
	} finally {
		subscription.unsubscribe();
	}
});

test('sign-out forgets the tokens and revokes the refresh token', async () => {
	const refreshToken = storedRefreshToken();
	assert.ok(refreshToken);
	const refresh = { ClientId: config.userPoolClientId, RefreshToken: refreshToken };
	assert.equal((await cognito('GetTokensFromRefreshToken', refresh)).status, 200);
	await signOut();
	assert.equal((await fetchAuthSession()).tokens, undefined);
	assert.equal(storedRefreshToken(), undefined);
	assert.deepEqual(await cognito('GetTokensFromRefreshToken', refresh), { status: 400, type: 'NotAuthorizedException' });
	assert.deepEqual(await graphqlErrors(client.graphql({ query: SONGS })), ['NoValidAuthTokens']);
});

test('USER_PASSWORD_AUTH sign-in works too', async () => {
	const { isSignedIn } = await signIn({
		username: EMAIL,
		password: PASSWORD,
		options: { authFlowType: 'USER_PASSWORD_AUTH' },
	});
	assert.equal(isSignedIn, true);
	const { tokens } = await fetchAuthSession();
	assert.equal(tokens.idToken.payload.email, EMAIL);
	await signOut();
});
