// A Lambda-backed mutation that invalidates its caller's filtered subscriptions
// (schema/filtered_subscription.py): once it succeeds, AppSync ends the caller's
// subscriptions to __SUBSCRIPTIONS__, and the client subscribes again with a fresh filter.
import { util, extensions } from "@aws-appsync/utils";

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
  for (const field of __SUBSCRIPTIONS__) {
    extensions.invalidateSubscriptions({ subscriptionField: field, payload: { userId: ctx.identity.sub } });
  }
  return ctx.result;
}
