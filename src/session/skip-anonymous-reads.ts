import type { FastifySessionOptions } from '@fastify/session';
import type { FastifyInstance, FastifyPluginCallback, onRequestHookHandler } from 'fastify';
import { SESSION_COOKIE } from './session.types';

/** Methods that never start a session here (sign-in is a POST). */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * @fastify/session builds a new Session for every request without a cookie (a random id, an HMAC
 * signature, a hash of its content, another on send), a large share of a cached read's cost. Its
 * request hook is skipped for a read that carries no session cookie, which can neither use nor start
 * a session; every other request goes through the plugin unchanged. The plugin sees an instance
 * whose `addHook` wraps its `onRequest` hook; `skip-override` keeps its hooks global, as the
 * plugin's own fastify-plugin wrapper does.
 */
export function skipAnonymousReads(
  plugin: FastifyPluginCallback<FastifySessionOptions>,
): FastifyPluginCallback<FastifySessionOptions> {
  const wrapped: FastifyPluginCallback<FastifySessionOptions> = (instance, options, done) => {
    const addHook = (name: string, hook: onRequestHookHandler): FastifyInstance => {
      if (name !== 'onRequest') return instance.addHook(name as 'onSend', hook as never);
      return instance.addHook('onRequest', function (request, reply, next) {
        if (request.cookies[SESSION_COOKIE] === undefined && READ_METHODS.has(request.method)) {
          next();
          return;
        }
        void hook.call(this, request, reply, next);
      });
    };
    const view = new Proxy(instance, {
      get: (target, property) =>
        property === 'addHook' ? addHook : (Reflect.get(target, property) as unknown),
    });
    plugin(view, options, done);
  };
  return Object.assign(wrapped, { [Symbol.for('skip-override')]: true });
}
