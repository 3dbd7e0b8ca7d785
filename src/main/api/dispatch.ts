// Transport-free entry point: both the IPC and the WebSocket transports call `dispatch`.
import type { z } from 'zod';
import { type ApiResults, type Method, apiArgs } from '../../shared/api';
import { badInput } from '../../shared/errors';

/** The main side's implementation: one plain async function per method, validated arguments in. */
export type Handlers = {
  [M in Method]: (args: z.output<(typeof apiArgs)[M]>) => Promise<ApiResults[M]>;
};

export async function dispatch(handlers: Handlers, method: string, args: unknown): Promise<unknown> {
  if (!Object.hasOwn(apiArgs, method)) throw badInput(`unknown API method "${method}"`);
  const schema = apiArgs[method as Method];
  const parsed = schema.safeParse(args ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`);
    throw badInput(`${method}: ${issues.join('; ')}`);
  }
  const handler = handlers[method as Method] as (args: unknown) => Promise<unknown>;
  return handler(parsed.data);
}
