// Every Lambda-backed field: hand AppSync's context to the API function, and turn a
// function error into a GraphQL error whose errorType is the Python exception's class name.
export function request(ctx) {
  return {
    operation: "__OPERATION__",
    payload: {
      arguments: ctx.arguments,
      identity: ctx.identity,
      source: ctx.source,
      info: ctx.info,
      request: ctx.request,
      prev: ctx.prev,
      stash: ctx.stash,
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
