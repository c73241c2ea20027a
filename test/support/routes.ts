import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';

/** One route as Nest declares it: method, path (`/users/{id}`), and where its metadata lives. */
export interface DeclaredRoute {
  route: string;
  controller: abstract new (...args: never[]) => unknown;
  handler: (...args: unknown[]) => unknown;
}

const joinPaths = (...parts: string[]): string =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/')}`.replace(/:(\w+)/g, '{$1}');

/**
 * Every route of every controller of the running application, read from Nest's own metadata
 * (the decorators), one entry per method and path.
 */
export function declaredRoutes(app: INestApplication): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as DeclaredRoute['controller'] | null;
      if (!controller) continue;
      const prefixes = [
        Reflect.getMetadata(PATH_METADATA, controller) as string | string[],
      ].flat();
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as
          string | string[] | undefined;
        if (paths === undefined) continue;
        const method =
          RequestMethod[
            Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod
          ];
        for (const prefix of prefixes)
          for (const path of [paths].flat())
            routes.push({
              route: `${method} ${joinPaths(prefix ?? '', path)}`,
              controller,
              handler: handler as DeclaredRoute['handler'],
            });
      }
    }
  }
  return routes;
}
