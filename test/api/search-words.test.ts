import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueue } from '../../server/platform/jobs/define-job.js';
import { searchUpgradeJob } from '../../server/modules/messages/index.js';
import { describeEachDialect } from '../support/db-matrix.js';
import { createTestApp, createTicket, type TestApp } from '../support/test-app.js';

const enc = encodeURIComponent;

describeEachDialect('search words: accents, compatibility forms, Chinese and Japanese', (dialect) => {
  let t: TestApp;
  const n: Record<string, number> = {};

  const search = async (q: string): Promise<number[]> => {
    const res = await t.admin.get(`/api/v1/search?q=${enc(q)}`);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { number: number }[]).map((i) => i.number);
  };
  const filtered = async (q: string): Promise<number[]> => {
    const res = await t.admin.get(`/api/v1/tickets?q=${enc(q)}`);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as { number: number }[]).map((i) => i.number).sort((a, b) => a - b);
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const make = async (key: string, subject: string, body: string) => {
      t.clock.advance(1000);
      n[key] = (await createTicket(t.admin, { subject, message: { body } })).number;
    };
    await make('tokyo', '東京の支店でプリンターが壊れました', '印刷できません。至急お願いします。');
    await make('osaka', '大阪の倉庫', '在庫の確認をお願いします');
    await make('beijing', '北京办公室的打印机坏了', '无法打印文件');
    await make('cafe', 'Café crème machine', 'The naïve barista in São Paulo');
    await make('wide', 'ＡＢＣ１２３ invoice', 'ﾌﾟﾘﾝﾀｰ in half-width katakana');
  });
  afterAll(async () => t?.close());

  it('finds a word inside a run of Japanese or Chinese text, not only the run start', async () => {
    expect(await search('支店')).toEqual([n.tokyo]);
    expect(await search('プリンター')).toEqual([n.wide, n.tokyo]);
    expect(await search('印刷')).toEqual([n.tokyo]);
    expect(await search('打印机')).toEqual([n.beijing]);
    expect(await search('办公室')).toEqual([n.beijing]);
    expect(await search('倉庫')).toEqual([n.osaka]);
    // Every pair must be there, in order: 東京 alone is in one ticket, 京大 in none.
    expect(await search('東京')).toEqual([n.tokyo]);
    expect(await search('京大')).toEqual([]);
    expect(await search('支店 壊れ')).toEqual([n.tokyo]);
    expect(await search('支店 倉庫')).toEqual([]);
  });

  it('folds accents on Latin letters and compatibility forms, both ways', async () => {
    expect(await search('cafe')).toEqual([n.cafe]);
    expect(await search('CAFÉ')).toEqual([n.cafe]);
    expect(await search('creme naive sao')).toEqual([n.cafe]);
    expect(await search('abc123')).toEqual([n.wide]);
    expect(await search('ＡＢＣ')).toEqual([n.wide]);
  });

  it('keeps a quoted phrase a phrase when it holds an escaped quote', async () => {
    const apart = await createTicket(t.admin, { subject: 'The fire spread on the zebra printer', message: { body: 'x' } });
    const together = await createTicket(t.admin, { subject: 'Zebra printer "on fire" again', message: { body: 'x' } });
    expect(await search('zebra')).toEqual([together.number, apart.number]);
    expect(await search('"zebra printer \\"on fire"')).toEqual([together.number]);
  });

  it('applies the same words to text terms of the filter language', async () => {
    expect(await filtered('支店')).toEqual([n.tokyo]);
    expect(await filtered('cafe')).toEqual([n.cafe]);
    expect(await filtered('"São Paulo"')).toEqual([n.cafe]);
    expect(await filtered('打印机 -无法')).toEqual([]);
  });

  it('brings rows indexed before the change up to date without moving them in newest-first order', async () => {
    // What the index held for these tickets before words were folded and split.
    const legacy: Record<string, string> = {
      tokyo: '東京の支店でプリンターが壊れました',
      cafe: 'Café crème machine',
    };
    const db = t.deps.database.db;
    const keyOf = async (num: number) => (await sql<{ id: string }>`SELECT id FROM tickets WHERE number = ${num}`.execute(db)).rows[0]!.id;
    const ids: Record<string, number> = {};
    for (const [k, text] of Object.entries(legacy)) {
      const docKey = `t:${await keyOf(n[k]!)}`;
      const row = (await sql<{ id: number }>`SELECT id FROM search_docs WHERE doc_key = ${docKey}`.execute(db)).rows[0]!;
      ids[k] = Number(row.id);
      const words = `${n[k]} ${text} Carol Customer carol customer test`;
      if (dialect === 'postgres') await sql`UPDATE search_docs SET tsv = to_tsvector('simple', ${words}) WHERE id = ${row.id}`.execute(db);
      else {
        await sql`DELETE FROM search_fts WHERE rowid = ${row.id}`.execute(db);
        await sql`INSERT INTO search_fts (rowid, body) VALUES (${row.id}, ${words})`.execute(db);
      }
    }
    // And one message, in its own row.
    const msg = (await sql<{ id: string }>`SELECT m.id FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.number = ${n.tokyo}`.execute(db)).rows[0]!.id;
    const msgRow = Number((await sql<{ id: number }>`SELECT id FROM search_docs WHERE doc_key = ${`m:${msg}`}`.execute(db)).rows[0]!.id);
    if (dialect === 'postgres') await sql`UPDATE search_docs SET tsv = to_tsvector('simple', '印刷できません 至急お願いします') WHERE id = ${msgRow}`.execute(db);
    else {
      await sql`DELETE FROM search_fts WHERE rowid = ${msgRow}`.execute(db);
      await sql`INSERT INTO search_fts (rowid, body) VALUES (${msgRow}, '印刷できません 至急お願いします')`.execute(db);
    }
    // A new store starts marked as current; this one plays a store indexed before the change.
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM settings WHERE key = 'search_words'`.execute(db)).rows[0]!.n)).toBe(1);
    await sql`DELETE FROM settings WHERE key = 'search_words'`.execute(db);
    expect(await search('できません')).toEqual([]);
    // Before the upgrade only the start of a run was found (as a prefix of the whole run).
    expect(await search('東京')).toEqual([n.tokyo]);
    expect(await search('支店')).toEqual([]);
    if (dialect === 'postgres') expect(await search('machine cafe')).toEqual([]);

    await enqueue(t.systemCtx(), searchUpgradeJob(), {});
    await t.deps.jobs.drain();

    expect(await search('支店')).toEqual([n.tokyo]);
    expect(await search('できません')).toEqual([n.tokyo]);
    expect(await search('machine cafe')).toEqual([n.cafe]);
    for (const [k, id] of Object.entries(ids)) {
      const docKey = `t:${await keyOf(n[k]!)}`;
      expect(Number((await sql<{ id: number }>`SELECT id FROM search_docs WHERE doc_key = ${docKey}`.execute(db)).rows[0]!.id)).toBe(id);
    }
    // Done once: the state says so, and a second run changes nothing.
    const state = (await sql<{ value: unknown }>`SELECT value FROM settings WHERE key = 'search_words'`.execute(db)).rows[0]!.value;
    expect(typeof state === 'string' ? JSON.parse(state) : state).toMatchObject({ version: 2 });
  });

  it('matches rule conditions in memory exactly as the index does', async () => {
    const rule = async (filter: string, tag: string) => {
      const res = await t.admin.post('/api/v1/automations/rules', { name: tag, kind: 'routing', conditions: { filter }, actions: [{ type: 'add_tags', tags: [tag] }] });
      expect(res.statusCode, res.body).toBe(201);
    };
    await rule('支店', 'branch');
    await rule('"creme machine"', 'coffee');
    const jp = await createTicket(t.admin, { subject: '名古屋の支店から', message: { body: 'トナー切れ' } });
    const fr = await createTicket(t.admin, { subject: 'Crème machine broken', message: { body: 'x' } });
    const none = await createTicket(t.admin, { subject: '店支', message: { body: 'cream machine' } });
    await t.deps.events.idle();
    await t.deps.jobs.drain();
    const tags = async (num: number) => (await t.admin.get(`/api/v1/tickets/${num}`)).json().tags as string[];
    expect([await tags(jp.number), await tags(fr.number), await tags(none.number)]).toEqual([['branch'], ['coffee'], []]);
  });
});
