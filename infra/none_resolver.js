// A field on the NONE data source: no code runs; the argument `__PAYLOAD__` is the result,
// which AppSync then pushes to the subscriptions that name this mutation in @aws_subscribe.
export function request(ctx) {
  return { payload: ctx.args.__PAYLOAD__ };
}

export function response(ctx) {
  return ctx.result;
}
