import { useEffect, useState } from 'react';
import type { CommandName, CommandParams, CommandResult } from '../../../shared/contract/commands.js';
import { messageOf, query } from '../connection/connection.js';
import { useStore } from '../store/store.js';

export type QueryState<T> = { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; message: string };

/** Runs a read-only command when the view opens (and again after a reconnect or `refresh`). */
export function useQuery<K extends CommandName>(name: K, params: CommandParams<K>, refresh = 0): QueryState<CommandResult<K>> {
  const [state, setState] = useState<QueryState<CommandResult<K>>>({ status: 'loading' });
  const open = useStore((s) => s.connection.status === 'open');
  const key = JSON.stringify(params);
  useEffect(() => {
    if (!open) return;
    let live = true;
    query(name, JSON.parse(key) as CommandParams<K>).then(
      (data) => live && setState({ status: 'ok', data }),
      (error: unknown) => live && setState({ status: 'error', message: messageOf(error) }),
    );
    return () => {
      live = false;
    };
  }, [name, key, open, refresh]);
  return state;
}
