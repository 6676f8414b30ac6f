/** `/api/users`: the console's accounts, for admins. */
import type { FastifyInstance } from 'fastify';
import { who } from '../auth/guard.js';
import type { ConsoleDeps } from '../deps.js';
import { addUser, publicUser, removeUser } from '../users.js';

export function registerUserApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const { ctx } = deps;
  app.get('/api/users', { config: { access: 'users' } }, async () =>
    (await ctx.catalog.listUsers()).map(publicUser),
  );
  app.post('/api/users', { config: { access: 'users' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const user = await addUser(
      ctx.catalog,
      { name: text(body.name), role: text(body.role), password: text(body.password) },
      ctx.now(),
    );
    request.log.info(
      { user: who(request).user.name, added: user.name, role: user.role },
      'console account added',
    );
    return reply.code(201).send(publicUser(user));
  });
  app.delete<{ Params: { name: string } }>(
    '/api/users/:name',
    { config: { access: 'users' } },
    async (request, reply) => {
      await removeUser(ctx.catalog, request.params.name);
      request.log.info(
        { user: who(request).user.name, removed: request.params.name },
        'console account removed',
      );
      return reply.code(204).send();
    },
  );
}
