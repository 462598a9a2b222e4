// A filtered subscription (schema/filtered_subscription.py): when a client subscribes, the API
// function returns the subscriber's enhanced filter, or an error that fails the subscription.
// The subscriber's own user id is the invalidation filter: the mutations marked to invalidate
// the field end the caller's subscription (infra/invalidating_resolver.js), who subscribes again.
import { util, extensions } from "@aws-appsync/utils";

export function request(ctx) {
  return {
    operation: "Invoke",
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
  extensions.setSubscriptionFilter(ctx.result);
  extensions.setSubscriptionInvalidationFilter({
    filterGroup: [{ filters: [{ fieldName: "userId", operator: "eq", value: ctx.identity.sub }] }],
  });
  return null;
}
