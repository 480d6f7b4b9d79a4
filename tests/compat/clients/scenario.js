// Shared by the Node.js client scripts (node_*.js): their arguments, step reporting and the
// scenario's data, the same as scenario.py's. Not a client itself.
//
// Each step prints `ok <client> <step>` or `FAIL <client> <step>: <why>`; `steps.done()` sets the
// exit status to 1 if any step failed. Timestamps travel as text (a JS Date keeps milliseconds only)
// and int8 as BigInt (a Number loses 9007199254740993); numeric stays text.
'use strict'
const { parseArgs } = require('node:util')

const PARAMS = [
  ['int4', 42, 'int4'],
  ['int8', 9007199254740993n, 'int8'],
  ['text', 'it\'s "quoted" ü€😀', 'text'],
  ['bytea', Buffer.from([0x00, 0x01, 0xff, 0x00]), 'bytea'],
  ['timestamp', '2024-02-29 13:45:00.123456', 'timestamp'],
  ['numeric', '12345.678900', 'numeric'],
  ['bool', true, 'bool'],
  ['null', null, 'text'],
  ['empty', '', 'text']
]
const TABLE_ROWS = 1000
const COPY_ROWS = 100
const COLUMNS = 'id int PRIMARY KEY, name text, amount numeric(12,2), created timestamp'

const pad = (n, width) => String(n).padStart(width, '0')

// Row i (1-based): [id, name, amount, created] with created as PostgreSQL prints it.
function row (i) {
  const fraction = pad(i, 6).replace(/0+$/, '')
  const created = `2024-01-01 00:${pad(Math.floor(i / 60), 2)}:${pad(i % 60, 2)}${fraction ? '.' + fraction : ''}`
  return [i, `name ${i} ü'"`, `${i}.${pad(i % 100, 2)}`, created]
}
const rows = (n) => Array.from({ length: n }, (_, k) => row(k + 1))
// Rows in COPY's text format (the names hold no tab, newline or backslash).
const copyText = (rs) => rs.map((r) => r.join('\t') + '\n').join('')

const show = (x) => (Buffer.isBuffer(x) ? `<Buffer ${x.toString('hex')}>` : typeof x === 'bigint' ? `${x}n` : JSON.stringify(x))

function same (got, want) {
  if (Buffer.isBuffer(want)) return Buffer.isBuffer(got) && got.equals(want)
  return got === want
}
function check (cond, why) {
  if (!cond) throw new Error(why)
}
function checkSame (got, want, what = 'value') {
  check(same(got, want), `${what}: got ${show(got)}, want ${show(want)}`)
}
function checkRows (got, want) {
  check(got.length === want.length, `${got.length} rows, want ${want.length}`)
  got.forEach((g, k) => {
    const w = want[k]
    check(g.length === w.length && g.every((x, j) => same(x, w[j])), `row ${g.map(show)}, want ${w.map(show)}`)
  })
}
// Runs fn, which must throw an error with SQLSTATE `code` (err.code in both node drivers).
async function checkFails (code, fn) {
  let err = null
  try {
    await fn()
  } catch (e) {
    err = e
  }
  check(err !== null, `no error, want SQLSTATE ${code}`)
  check(err.code === code, `SQLSTATE ${err.code}, want ${code} (${err.message})`)
}
function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([promise, new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms)
  })]).finally(() => clearTimeout(timer))
}

function args () {
  const env = process.env
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: env.PGHOST || '127.0.0.1' },
      port: { type: 'string', default: env.PGPORT || '5432' },
      user: { type: 'string', default: env.PGUSER || 'postgres' },
      password: { type: 'string', default: env.PGPASSWORD || '' },
      dbname: { type: 'string', default: env.PGDATABASE || 'postgres' }
    }
  })
  return { ...values, port: Number(values.port) }
}

class Steps {
  constructor (client) {
    this.client = client
    this.failed = 0
  }

  async run (name, fn) {
    try {
      await fn()
      console.log(`ok ${this.client} ${name}`)
      return true
    } catch (e) {
      this.failed++
      const why = String((e && e.message) || e).replace(/\s+/g, ' ').slice(0, 400)
      console.log(`FAIL ${this.client} ${name}: ${why}`)
      if (process.env.COMPAT_TRACE) console.error(e)
      return false
    }
  }

  skip (name, why) {
    console.log(`skip ${this.client} ${name}: ${why}`)
  }

  done () {
    process.exitCode = this.failed ? 1 : 0
  }
}

module.exports = { PARAMS, TABLE_ROWS, COPY_ROWS, COLUMNS, rows, copyText, check, checkSame, checkRows, checkFails, withTimeout, args, Steps }
