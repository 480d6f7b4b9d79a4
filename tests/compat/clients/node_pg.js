// node-postgres (`pg`) against a PostgreSQL-compatible server: SCRAM connect, SELECT 1, typed
// parameters read back equal, a 1,000-row table (multi-row INSERTs of 250 rows with parameters,
// then every value checked), SQLSTATE 22012 and 25P02, a named prepared statement reused,
// LISTEN/NOTIFY between two clients (the 'notification' event). No COPY (needs pg-copy-streams) and
// no row-limited fetch (needs pg-cursor): both are separate packages.
//
//   NODE_PATH=<setup-node.sh's folder>/node_modules node node_pg.js --host H --port P --user U --password PW --dbname D
'use strict'
const pg = require('pg')
const { PARAMS, TABLE_ROWS, COLUMNS, rows, check, checkSame, checkRows, checkFails, withTimeout, args, Steps } = require('./scenario.js')

const CLIENT = 'node-postgres'
const TABLE = 'compat_node_pg'

pg.types.setTypeParser(20, BigInt) // int8
pg.types.setTypeParser(1114, (text) => text) // timestamp, to keep its microseconds

async function connect (a) {
  const client = new pg.Client({ host: a.host, port: a.port, user: a.user, password: a.password, database: a.dbname, connectionTimeoutMillis: 10000 })
  await client.connect()
  return client
}
const values = async (client, text, params) => (await client.query({ text, values: params, rowMode: 'array' })).rows

async function table (client) {
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`)
  await client.query(`CREATE TABLE ${TABLE} (${COLUMNS})`)
  const all = rows(TABLE_ROWS)
  await client.query('BEGIN')
  try {
    for (let start = 0; start < all.length; start += 250) {
      const batch = all.slice(start, start + 250)
      const tuples = batch.map((_, k) => `($${4 * k + 1}, $${4 * k + 2}, $${4 * k + 3}, $${4 * k + 4})`)
      await client.query(`INSERT INTO ${TABLE} VALUES ${tuples.join(', ')}`, batch.flat())
    }
    await client.query('COMMIT')
  } catch (e) {
    await client.query('ROLLBACK')
    throw e
  }
  checkRows(await values(client, `SELECT id, name, amount, created FROM ${TABLE} ORDER BY id`), all)
}

async function divisionError (client) {
  await checkFails('22012', () => client.query('SELECT 1/0'))
  checkSame((await values(client, 'SELECT 2'))[0][0], 2)
}

async function failedTransaction (client) {
  await client.query('BEGIN')
  try {
    await checkFails('22012', () => client.query('SELECT 1/0'))
    await checkFails('25P02', () => client.query('SELECT 1'))
  } finally {
    await client.query('ROLLBACK')
  }
  checkSame((await values(client, 'SELECT 3'))[0][0], 3)
}

async function prepared (client) {
  for (let i = 0; i < 10; i++) {
    const got = await client.query({ name: 'compat_prepared', text: 'SELECT $1::int4 * 2, $2::text', values: [i, `p${i}`], rowMode: 'array' })
    checkRows(got.rows, [[i * 2, `p${i}`]])
  }
}

async function notify (a, client) {
  const listener = await connect(a)
  try {
    const got = new Promise((resolve) => listener.on('notification', resolve))
    await listener.query('LISTEN compat_node_pg')
    await client.query("NOTIFY compat_node_pg, 'hello from node-postgres'")
    const n = await withTimeout(got, 10000, 'no notification')
    check(n.channel === 'compat_node_pg' && n.payload === 'hello from node-postgres', `got ${n.channel} ${n.payload}`)
  } finally {
    await listener.end()
  }
}

async function main () {
  const a = args()
  const steps = new Steps(CLIENT)
  let client
  if (!await steps.run('connect', async () => { client = await connect(a) })) return steps.done()
  await steps.run('select1', async () => checkSame((await values(client, 'SELECT 1'))[0][0], 1))
  for (const [name, value, type] of PARAMS) {
    await steps.run(`param-${name}`, async () => checkSame((await values(client, `SELECT $1::${type}`, [value]))[0][0], value))
  }
  await steps.run('table', () => table(client))
  await steps.run('error', () => divisionError(client))
  await steps.run('transaction', () => failedTransaction(client))
  steps.skip('copy', 'node-postgres needs the separate pg-copy-streams package for COPY')
  await steps.run('prepared', () => prepared(client))
  steps.skip('cursor', 'node-postgres needs the separate pg-cursor package for row-limited fetches')
  await steps.run('notify', () => notify(a, client))
  await client.end()
  steps.done()
}

main()
