import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorState, Loading } from '../../components/states.js';
import { toast } from '../../components/toast.js';
import { api } from '../../lib/api.js';
import { t, tp } from '../../lib/i18n.js';
import { FormError } from './form-error.js';

const PATH = '/api/v1/customer-notifications/restricted-words';

/** Words and phrases the reply preview flags before a mail goes out: staff read them, admins edit them. */
export function RestrictedWordsAdmin({ canEdit }: { canEdit: boolean }) {
  const words = useQuery({ queryKey: ['restricted-words'], queryFn: () => api.get<{ words: string[] }>(PATH).then((r) => r.words) });
  if (words.isPending) return <Loading />;
  if (words.isError) return <ErrorState error={words.error} />;
  return (
    <section className="stack narrow">
      <p className="muted">{t('restricted.intro')}</p>
      {canEdit ? <WordsEditor words={words.data} /> : words.data.length === 0 ? <p className="muted">{t('restricted.none')}</p> : (
        <ul aria-label={t('restricted.title')}>{words.data.map((w) => <li key={w}>{w}</li>)}</ul>
      )}
    </section>
  );
}

function WordsEditor({ words }: { words: string[] }) {
  const qc = useQueryClient();
  const [text, setText] = useState(words.join('\n'));
  const list = [...new Set(text.split('\n').map((w) => w.trim()).filter(Boolean))];
  const save = useMutation({
    mutationFn: () => api.put<{ words: string[] }>(PATH, { words: list }),
    onSuccess: (r) => {
      qc.setQueryData(['restricted-words'], r.words);
      setText(r.words.join('\n'));
      toast(t('common.saved'));
    },
  });
  return (
    <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <label className="field">
        <span>{t('restricted.title')}</span>
        <textarea rows={12} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('restricted.placeholder')} />
      </label>
      <p className="hint">{tp('restricted.count', list.length)}</p>
      <FormError error={save.error} />
      <div className="toolbar"><button type="submit" className="button primary" disabled={save.isPending}>{t('common.save')}</button></div>
    </form>
  );
}
