// postgres.js (`postgres`) against a PostgreSQL-compatible server: SCRAM connect (with its start-up
// pg_type look-up), SELECT 1, typed parameters read back equal, a 1,000-row table (one multi-row
// INSERT from sql(rows), then every value checked), SQLSTATE 22012 and 25P02 (BEGIN/ROLLBACK on a
// reserved connection), COPY in/out (.writable()/.readable()), one query run 10 times (postgres.js
// prepares and reuses it), .cursor(10) (a portal read 10 rows at a time), LISTEN/NOTIFY (sql.listen
// on its own connection, sql.notify).
//
//   NODE_PATH=<setup-node.sh's folder>/node_modules node node_postgresjs.js --host H --port P --user U --password PW --dbname D
'use strict'
const postgres = require('postgres')
const { Readable } = require('node:stream')
const { pipeline } = require('node:stream/promises')
const { PARAMS, TABLE_ROWS, COPY_ROWS, COLUMNS, rows, copyText, check, checkSame, checkRows, checkFails, withTimeout, args, Steps } = require('./scenario.js')

const CLIENT = 'postgres-js'
const TABLE = 'compat_postgresjs'

function connect (a) {
  return postgres({
    host: a.host,
    port: a.port,
    user: a.user,
    pass: a.password,
    database: a.dbname,
    connect_timeout: 10,
    onnotice: () => {},
    types: {
      bigint: postgres.BigInt, // int8 as BigInt
      timestamp: { to: 1114, from: [1114], serialize: (x) => x, parse: (x) => x } // as text, to keep microseconds
    }
  })
}

async function table (sql) {
  await sql`DROP TABLE IF EXISTS ${sql(TABLE)}`
  await sql.unsafe(`CREATE TABLE ${TABLE} (${COLUMNS})`)
  const all = rows(TABLE_ROWS)
  const objects = all.map(([id, name, amount, created]) => ({ id, name, amount, created }))
  await sql`INSERT INTO ${sql(TABLE)} ${sql(objects, 'id', 'name', 'amount', 'created')}`
  checkRows(await sql`SELECT id, name, amount, created FROM ${sql(TABLE)} ORDER BY id`.values(), all)
}

async function divisionError (sql) {
  await checkFails('22012', () => sql`SELECT 1/0`)
  checkSame((await sql`SELECT 2`.values())[0][0], 2)
}

async function failedTransaction (sql) {
  const conn = await sql.reserve()
  try {
    await conn`BEGIN`
    try {
      await checkFails('22012', () => conn`SELECT 1/0`)
      await checkFails('25P02', () => conn`SELECT 1`)
    } finally {
      await conn`ROLLBACK`
    }
    checkSame((await conn`SELECT 3`.values())[0][0], 3)
  } finally {
    conn.release()
  }
}

async function copy (sql) {
  const name = `${TABLE}_copy`
  await sql`DROP TABLE IF EXISTS ${sql(name)}`
  await sql.unsafe(`CREATE TABLE ${name} (${COLUMNS})`)
  const want = copyText(rows(COPY_ROWS))
  await pipeline(Readable.from([want]), await sql`COPY ${sql(name)} (id, name, amount, created) FROM STDIN`.writable())
  const chunks = []
  for await (const chunk of await sql`COPY (SELECT id, name, amount, created FROM ${sql(name)} ORDER BY id) TO STDOUT`.readable()) {
    chunks.push(chunk)
  }
  const got = Buffer.concat(chunks).toString('utf8')
  check(got === want, `copied out ${JSON.stringify(got.slice(0, 200))}..., want ${JSON.stringify(want.slice(0, 200))}...`)
}

async function prepared (sql) {
  for (let i = 0; i < 10; i++) {
    checkRows(await sql`SELECT ${i}::int4 * 2, ${'p' + i}::text`.values(), [[i * 2, `p${i}`]])
  }
}

async function cursor (sql) {
  const got = []
  let batches = 0
  for await (const batch of sql`SELECT id, name, amount, created FROM ${sql(TABLE)} ORDER BY id`.cursor(10)) {
    check(batch.length <= 10, `cursor(10) gave ${batch.length} rows`)
    got.push(...batch.map((r) => [r.id, r.name, r.amount, r.created]))
    batches++
  }
  check(batches === TABLE_ROWS / 10, `${batches} batches, want ${TABLE_ROWS / 10}`)
  checkRows(got, rows(TABLE_ROWS))
}

async function notify (sql) {
  let received
  const got = new Promise((resolve) => { received = resolve })
  const { unlisten } = await sql.listen('compat_postgresjs', received)
  try {
    await sql.notify('compat_postgresjs', 'hello from postgres.js')
    const payload = await withTimeout(got, 10000, 'no notification')
    checkSame(payload, 'hello from postgres.js', 'payload')
  } finally {
    await unlisten()
  }
}

async function main () {
  const a = args()
  const steps = new Steps(CLIENT)
  const sql = connect(a) // connects on its first query
  try {
    if (!await steps.run('connect', async () => checkSame((await sql`SELECT current_user`.values())[0][0], a.user, 'current_user'))) return
    await steps.run('select1', async () => checkSame((await sql`SELECT 1`.values())[0][0], 1))
    for (const [name, value, type] of PARAMS) {
      await steps.run(`param-${name}`, async () => checkSame((await sql`SELECT ${value}::${sql.unsafe(type)}`.values())[0][0], value))
    }
    await steps.run('table', () => table(sql))
    await steps.run('error', () => divisionError(sql))
    await steps.run('transaction', () => failedTransaction(sql))
    await steps.run('copy', () => copy(sql))
    await steps.run('prepared', () => prepared(sql))
    await steps.run('cursor', () => cursor(sql))
    await steps.run('notify', () => notify(sql))
  } finally {
    await sql.end({ timeout: 5 })
    steps.done()
  }
}

main()
