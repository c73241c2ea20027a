import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Credentials and tokens are small; a large body on these routes is an attack, not a login. */
export const AUTH_BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Facts about a route that Fastify and the exception filter need before (or without) the
 * route's handler: declared on the route, carried in its Fastify route config.
 */
export interface RouteFacts {
  /** A body limit below the global one. */
  bodyLimit?: number;
  /** Every error, even one raised before the handler runs, in the RFC 6749 §5.2 shape. */
  oauthErrors?: boolean;
}

/** The facts of the routes that take credentials or tokens: a small body. */
export const AUTH_ROUTE: RouteFacts = { bodyLimit: AUTH_BODY_LIMIT_BYTES };

/** Declares a route's facts; one `@RouteFacts()` per route (a second one would replace it). */
export const RouteFacts = (facts: RouteFacts) => RouteConfig(facts);

/** Marks, in the OpenAPI document, an operation whose errors are RFC 6749 bodies. */
export const OAUTH_ERRORS_EXTENSION = 'x-oauth-errors';

/**
 * An OAuth endpoint (token, revocation): a small body, and every error in the RFC 6749 §5.2
 * shape, at run time (the exception filter) and in the OpenAPI document alike.
 */
export const OAuthEndpoint = () =>
  applyDecorators(
    RouteFacts({ ...AUTH_ROUTE, oauthErrors: true }),
    ApiExtension(OAUTH_ERRORS_EXTENSION, true),
  );

/** The facts of the route a request matched; none for an unknown route. */
export const routeFactsOf = (request: FastifyRequest): RouteFacts =>
  (request.routeOptions.config as RouteFacts | undefined) ?? {};

/** Applies each route's `bodyLimit` as Fastify registers it. */
export function applyRouteBodyLimits(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const { bodyLimit } = (route.config ?? {}) as RouteFacts;
    if (bodyLimit !== undefined) route.bodyLimit = bodyLimit;
  });
}
