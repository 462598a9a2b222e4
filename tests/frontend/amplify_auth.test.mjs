// Amplify JS v6 against the local API, as a frontend uses it: Auth on the local user pool
// (sign-up, emailed code, SRP sign-in, refresh, sign-out) and the GraphQL client with both
// auth modes. Started by tests/integration/test_amplify.py, which runs an emulator and passes
// its root URL in EMULATOR_URL: `node --test tests/frontend/` with EMULATOR_URL set works too.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';

import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
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
const ME = 'query { me { id email displayName groups } }';
const LOGIN =
	'mutation($email: AWSEmail!, $password: String!) { login(email: $email, password: $password) { accessToken } }';

let config;
let client;

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
	// What a frontend writes from the stack's outputs (the emulator's /config says them locally).
	Amplify.configure({
		Auth: {
			Cognito: {
				userPoolId: config.userPoolId,
				userPoolClientId: config.userPoolClientId,
				userPoolEndpoint: config.userPoolEndpoint,
			},
		},
		API: {
			GraphQL: {
				endpoint: new URL(config.graphqlUrl, BASE).href,
				region: config.region,
				defaultAuthMode: 'userPool',
				apiKey: config.apiKey,
			},
		},
	});
	cognitoUserPoolsTokenProvider.setKeyValueStorage(memoryStorage);
	client = generateClient();
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
