// Conformance sessions for Demiurge.Yjs, run with the real yjs.
//
//   node yjs-sessions.mjs generate <seed> <count> <sessions.json>
//     Plays <count> random editing sessions (seeded, reproducible) between several Y.Docs that exchange their
//     updates late and out of order, and writes each session's updates plus what a reference document holds.
//   node yjs-sessions.mjs verify <sessions.json> <results.json>
//     Checks the merges, state vectors and diffs our library computed from those sessions: applied in fresh
//     Y.Docs they must give the reference document, and their bytes are compared with yjs's own functions.
//     Prints a JSON summary; exits 1 if any check failed.
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { readFileSync, writeFileSync } from 'node:fs'

const b64 = u => Buffer.from(u).toString('base64')
const unb64 = s => new Uint8Array(Buffer.from(s, 'base64'))

// mulberry32: small, seeded, good enough to pick edits.
const random = seed => () => {
  seed = (seed + 0x6D2B79F5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const pieces = ['a', 'b', 'c', 'hello', ' ', 'é', '中文', '😀', '👍🏽', 'x\ny', '∑', '🇩🇪']

const makeSession = (r, index) => {
  const int = n => Math.floor(r() * n)
  const pick = a => a[int(a.length)]
  const clients = 1 + int(4)
  const docs = []
  const log = [] // every local update, in the order made
  for (let c = 0; c < clients; c++) {
    const doc = new Y.Doc({ gc: r() < 0.7, guid: 'd' }) // a fixed guid spares a crypto uuid per doc
    // Mostly 32-bit ids as Yjs makes them; sometimes wider ones, which the var-uint encoding allows.
    doc.clientID = r() < 0.1 ? 2 ** 40 + int(2 ** 30) : 1 + int(2 ** 32 - 2)
    doc.on('update', (u, origin) => { if (origin !== 'remote') log.push(u) })
    docs.push(doc)
  }
  const seen = docs.map(() => 0) // how far into the log each doc has been sent
  const text = () => pick(pieces) + (r() < 0.3 ? pick(pieces) : '')
  const value = depth => {
    switch (int(depth > 0 ? 9 : 15)) {
      case 0: return int(100)
      case 1: return -int(2 ** 40)
      case 2: return r() * 1000
      case 3: return text()
      case 4: return r() < 0.5
      case 5: return null
      case 6: return BigInt(int(2 ** 30)) * 1000n
      case 7: return 0.5
      case 8: return new Uint8Array([int(256), int(256), 7])
      case 9: return { k: value(depth + 1), list: [value(depth + 1), 'z'] }
      case 10: return [value(depth + 1), value(depth + 1)]
      case 11: return new Y.Map()
      case 12: return new Y.Array()
      case 13: return new Y.Text(text())
      default: return r() < 0.2 ? new Y.Doc({ guid: `sub-${index}-${int(1000)}` }) : undefined
    }
  }
  const types = doc => {
    const found = [doc.getText('text'), doc.getMap('map'), doc.getArray('array'), doc.getXmlFragment('xml')]
    for (let i = 0; i < found.length; i++) {
      const t = found[i]
      const children = t instanceof Y.Map ? [...t.values()] : (t instanceof Y.Array || t instanceof Y.XmlFragment) ? t.toArray() : []
      for (const child of children) if (child instanceof Y.AbstractType) found.push(child)
    }
    return found
  }
  const edit = doc => {
    const t = pick(types(doc))
    if (t instanceof Y.Text) {
      const len = t.length
      const k = int(5)
      if (k === 0 && len > 0) { const i = int(len); t.delete(i, 1 + int(Math.min(len - i, 6))) } else if (k === 1 && len > 0) {
        const i = int(len); t.format(i, 1 + int(len - i), pick([{ bold: true }, { bold: null }, { color: '#f00' }, { italic: true }]))
      } else if (k === 2) t.insertEmbed(int(len + 1), { image: text() })
      else t.insert(int(len + 1), text(), r() < 0.2 ? { italic: true } : undefined)
    } else if (t instanceof Y.XmlFragment) {
      const len = t.length
      if (r() < 0.25 && len > 0) t.delete(int(len), 1)
      else if (t instanceof Y.XmlElement && r() < 0.3) t.setAttribute(pick(['class', 'id']), text())
      else t.insert(int(len + 1), [pick([() => new Y.XmlElement(pick(['p', 'h1'])), () => new Y.XmlText(text()), () => new Y.XmlHook('hook')])()])
    } else if (t instanceof Y.Map) {
      const key = pick(['a', 'b', 'c', 'd', 'ключ'])
      if (r() < 0.25) t.delete(key)
      else t.set(key, value(0))
    } else if (t instanceof Y.Array) {
      const len = t.length
      if (r() < 0.3 && len > 0) { const i = int(len); t.delete(i, 1 + int(Math.min(len - i, 4))) } else {
        const items = []
        for (let n = 1 + int(3); n > 0; n--) {
          const v = value(0)
          if (!(v instanceof Y.Doc) && v !== undefined && typeof v !== 'bigint') items.push(v)
        }
        if (items.length > 0) t.insert(int(len + 1), items)
      }
    }
  }
  const exported = [] // updates handed to the library: local updates and some whole-document snapshots
  const ops = 3 + int(25)
  for (let op = 0; op < ops; op++) {
    const doc = pick(docs)
    if (r() < 0.2) doc.transact(() => { for (let n = 2 + int(4); n > 0; n--) edit(doc) })
    else edit(doc)
    if (r() < 0.3) {
      // Deliver some of the updates this doc has not seen, shuffled: yjs keeps the early ones pending.
      const to = int(clients)
      const fresh = log.slice(seen[to])
      seen[to] = log.length
      shuffle(r, fresh).forEach(u => { if (r() < 0.9) Y.applyUpdate(docs[to], u, 'remote') })
    }
    if (r() < 0.05) exported.push(Y.encodeStateAsUpdate(pick(docs))) // with GC'd and deleted content
  }
  exported.push(...log)
  const updates = shuffle(r, exported)
  const reference = new Y.Doc({ guid: 'd' })
  updates.forEach(u => Y.applyUpdate(reference, u))
  // A peer that has some of the updates, for the diffs.
  const peer = new Y.Doc({ guid: 'd' })
  updates.forEach(u => { if (r() < 0.5) Y.applyUpdate(peer, u) })
  const groupCount = 1 + int(4)
  const groups = Array.from({ length: groupCount }, () => [])
  updates.forEach((_, i) => groups[int(groupCount)].push(i))
  // A state vector that cuts clients at arbitrary clocks, mostly inside structs.
  const cut = new Map([...Y.decodeStateVector(Y.encodeStateVector(reference))].map(([client, clock]) => [client, int(clock + 1)]))
  return {
    cutSv: b64(encodeStateVector(cut)),
    updates: updates.map(b64),
    groups: groups.filter(g => g.length > 0),
    peer: b64(Y.encodeStateAsUpdate(peer)),
    peerSv: b64(Y.encodeStateVector(peer)),
    json: snapshot(reference),
    sv: b64(Y.encodeStateVector(reference))
  }
}

const shuffle = (r, a) => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

// The document's content as a string, formatting and nesting included.
const snapshot = doc => JSON.stringify({
  text: plain(doc.getText('text')),
  map: plain(doc.getMap('map')),
  array: plain(doc.getArray('array')),
  xml: plain(doc.getXmlFragment('xml'))
})

const plain = v => {
  if (v instanceof Y.Text) return { delta: v.toDelta().map(d => plain({ ...d, insert: plain(d.insert) })) }
  if (v instanceof Y.XmlElement) return { node: v.nodeName, attrs: plain(v.getAttributes()), children: v.toArray().map(plain) }
  if (v instanceof Y.XmlFragment) return { children: v.toArray().map(plain) }
  if (v instanceof Y.Map) return { map: [...v.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([k, x]) => [k, plain(x)]) }
  if (v instanceof Y.Array) return { array: v.toArray().map(plain) }
  if (v instanceof Y.Doc) return { doc: v.guid }
  if (v instanceof Uint8Array) return { binary: b64(v) }
  if (typeof v === 'bigint') return { bigint: v.toString() }
  if (v === undefined) return { undefined: true }
  if (Array.isArray(v)) return v.map(plain)
  // Key order of attributes follows integration order, which differs between peers; it is not content.
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : 1).map(([k, x]) => [k, plain(x)]))
  return v
}

// A state vector as yjs writes one: the count, then client and clock pairs.
const encodeStateVector = sv => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, sv.size)
  sv.forEach((clock, client) => { encoding.writeVarUint(encoder, client); encoding.writeVarUint(encoder, clock) })
  return encoding.toUint8Array(encoder)
}

const equal = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0

const verify = (sessions, results) => {
  const summary = {
    sessions: sessions.length,
    updates: 0,
    checks: 0,
    bytesEqual: { merge: 0, mergeOfMerges: 0, stateVector: 0, diff: 0, cutDiff: 0, updateStateVector: 0, updateDiff: 0, updateCutDiff: 0 },
    // Sessions where yjs's own merge does not give the document that applying the updates one by one gives:
    // mergeUpdates slices text inside a surrogate pair as U+FFFD when updates overlap there (yjs issue 248).
    yjsMergeDiffersFromUpdates: 0,
    failures: []
  }
  const fail = (i, what) => { if (summary.failures.length < 50) summary.failures.push(`session ${i}: ${what}`); else summary.failures.length++ }
  const check = (i, ok, what) => { summary.checks++; if (!ok) fail(i, what) }
  const doc = (...updates) => {
    const d = new Y.Doc({ guid: 'd' })
    updates.forEach(u => Y.applyUpdate(d, u))
    return d
  }
  // Our output, applied, must give the document yjs's output gives: content, state vector and what is pending.
  const same = (i, ours, theirs, what) => {
    check(i, snapshot(ours) === snapshot(theirs), `${what}: document differs from yjs's`)
    check(i, equal(Y.encodeStateVector(ours), Y.encodeStateVector(theirs)), `${what}: state vector differs from yjs's`)
    check(i, (ours.store.pendingStructs === null) === (theirs.store.pendingStructs === null) &&
      (ours.store.pendingDs === null) === (theirs.store.pendingDs === null), `${what}: pending structs differ from yjs's`)
  }
  if (results.length !== sessions.length) fail(-1, `${results.length} results for ${sessions.length} sessions`)
  sessions.forEach((s, i) => {
    const res = results[i]
    if (res === undefined) return
    const updates = s.updates.map(unb64)
    summary.updates += updates.length
    const peerSv = unb64(s.peerSv)
    const theirs = {
      merge: Y.mergeUpdates(updates),
      mergeOfMerges: Y.mergeUpdates(s.groups.map(g => Y.mergeUpdates(g.map(k => updates[k]))))
    }
    theirs.stateVector = Y.encodeStateVectorFromUpdate(theirs.merge)
    theirs.diff = Y.diffUpdate(theirs.merge, peerSv)
    const cutSv = unb64(s.cutSv)
    theirs.cutDiff = Y.diffUpdate(theirs.merge, cutSv)
    for (const key of ['merge', 'mergeOfMerges', 'stateVector', 'diff', 'cutDiff']) {
      if (equal(unb64(res[key]), theirs[key])) summary.bytesEqual[key]++
    }
    const theirMerge = doc(theirs.merge)
    if (snapshot(theirMerge) !== s.json || !equal(Y.encodeStateVector(theirMerge), unb64(s.sv))) summary.yjsMergeDiffersFromUpdates++
    same(i, doc(unb64(res.merge)), theirMerge, 'merge')
    same(i, doc(unb64(res.mergeOfMerges)), doc(theirs.mergeOfMerges), 'merge of merges')
    // The state vector must mean what yjs's means (byte equality is counted above).
    const ours = Y.decodeStateVector(unb64(res.stateVector))
    const want = Y.decodeStateVector(theirs.stateVector)
    check(i, ours.size === want.size && [...want].every(([c, k]) => ours.get(c) === k), 'state vector of the merge differs from yjs')
    // The diff brings a peer where yjs's diff brings it.
    const peer = unb64(s.peer)
    same(i, doc(peer, unb64(res.diff)), doc(peer, theirs.diff), 'peer + diff')
    // Cut inside structs, the diff starts with sliced content; alone it leaves the rest pending, as yjs's does.
    same(i, doc(unb64(res.cutDiff)), doc(theirs.cutDiff), 'diff at a cut')
    updates.forEach((u, k) => {
      if (equal(unb64(res.updateStateVectors[k]), Y.encodeStateVectorFromUpdate(u))) summary.bytesEqual.updateStateVector++
      else fail(i, `update ${k}: state vector differs from yjs`)
      if (equal(unb64(res.updateDiffs[k]), Y.diffUpdate(u, peerSv))) summary.bytesEqual.updateDiff++
      else fail(i, `update ${k}: diff differs from yjs`)
      if (equal(unb64(res.updateCutDiffs[k]), Y.diffUpdate(u, cutSv))) summary.bytesEqual.updateCutDiff++
      else fail(i, `update ${k}: diff at the cut differs from yjs`)
      summary.checks += 3
    })
  })
  return summary
}

const [command, a, b, c] = process.argv.slice(2)
if (command === 'generate') {
  const r = random(Number(a))
  const sessions = Array.from({ length: Number(b) }, (_, i) => makeSession(r, i))
  writeFileSync(c, JSON.stringify(sessions))
} else if (command === 'verify') {
  const summary = verify(JSON.parse(readFileSync(a, 'utf8')), JSON.parse(readFileSync(b, 'utf8')))
  process.stdout.write(JSON.stringify(summary) + '\n')
  process.exit(summary.failures.length === 0 ? 0 : 1)
} else {
  process.stderr.write('usage: yjs-sessions.mjs generate <seed> <count> <out> | verify <sessions> <results>\n')
  process.exit(2)
}
