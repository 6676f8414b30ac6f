import fs from 'node:fs';
import { ValidationError } from '../errors.js';
import { addUser, publicUser, removeUser } from '../http/users.js';
import type { AppContext } from '../app/context.js';
import { print, printJson, table } from './output.js';

/**
 * The password of `users add`: the first line of `--password-file`, or of stdin when it is not a terminal (a
 * pipe or a here-document), or typed at the terminal without echo.
 */
export async function readPassword(options: { passwordFile?: string }): Promise<string> {
  if (options.passwordFile) return firstLine(fs.readFileSync(options.passwordFile, 'utf8'));
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return firstLine(Buffer.concat(chunks).toString('utf8'));
  }
  return promptHidden('Password: ');
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}

function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new ValidationError('password', '[users] cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}

/** `bevara users add <name> --role <role>`: a console account; the password from stdin or --password-file. */
export async function usersAddCommand(
  ctx: AppContext,
  name: string,
  options: { role: string; passwordFile?: string; json?: boolean },
): Promise<number> {
  const password = await readPassword(options);
  const user = await addUser(ctx.catalog, { name, role: options.role, password }, ctx.now());
  ctx.logger.info({ user: user.name, role: user.role }, 'console account added');
  if (options.json) printJson(publicUser(user));
  else print(`User ${user.name} added with role ${user.role}; log in at the console (bevara serve)`);
  return 0;
}

/** `bevara users list`: every console account and its role (never a hash). */
export async function usersListCommand(ctx: AppContext, options: { json?: boolean }): Promise<number> {
  const users = (await ctx.catalog.listUsers()).map(publicUser);
  if (options.json) printJson(users);
  else if (users.length === 0) print('No users. Add the first admin: bevara users add <name> --role admin');
  else
    print(
      table(
        ['NAME', 'ROLE', 'CREATED'],
        users.map((u) => [u.name, u.role, u.createdAt.toISOString()]),
      ),
    );
  return 0;
}

/** `bevara users remove <name>`: the account and its sessions. */
export async function usersRemoveCommand(
  ctx: AppContext,
  name: string,
  options: { json?: boolean },
): Promise<number> {
  await removeUser(ctx.catalog, name);
  ctx.logger.info({ user: name }, 'console account removed');
  if (options.json) printJson({ removed: name });
  else print(`User ${name} removed; its sessions ended`);
  return 0;
}
