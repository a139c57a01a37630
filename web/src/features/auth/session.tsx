import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, onSessionExpired, setCsrfToken } from '../../lib/api.js';
import type { Me, User } from '../../lib/types.js';
import { SignInPage } from './sign-in-page.js';

interface Session {
  me: User;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionGate');
  return s;
}

async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api.get<Me>('/api/v1/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/**
 * Shows the sign-in page until there is a session, and again (with a notice, keeping the URL)
 * when the server reports it expired, so the agent lands back where they were.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [expired, setExpired] = useState(false);
  const me = useQuery({ queryKey: ['me'], queryFn: fetchMe, retry: false, staleTime: Infinity, refetchOnWindowFocus: false });

  useEffect(
    () =>
      onSessionExpired(() => {
        if (!qc.getQueryData(['me'])) return;
        setCsrfToken(null);
        setExpired(true);
        qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
        qc.setQueryData(['me'], null);
      }),
    [qc],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/v1/auth/logout');
    } finally {
      setCsrfToken(null);
      // Drop everything the signed-in agent saw; ['me'] stays (as null) so the gate re-renders.
      qc.setQueryData(['me'], null);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      setExpired(false);
    }
  }, [qc]);

  if (me.isPending) return <div className="boot" aria-busy="true" />;
  const data = me.data;
  if (!data || me.isError) {
    return (
      <SignInPage
        expired={expired}
        onSignedIn={(result) => {
          setCsrfToken(result.csrfToken);
          setExpired(false);
          qc.setQueryData(['me'], result);
        }}
      />
    );
  }
  return <SessionContext.Provider value={{ me: data.user, signOut }}>{children}</SessionContext.Provider>;
}
