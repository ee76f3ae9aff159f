// Benchmark input and yjs's own figures for bench/yjs.sh:
//   node yjs-bench.mjs <updates> <rounds> <dir>
// Three clients edit one document, one update per keystroke or map change, and the updates are written to
// <dir>/updates.json. yjs then merges them, reads the merge's state vector and diffs it against a peer that has
// the first half; each is timed over <rounds> rounds (median). The merge and the peer's state vector are written
// to <dir> for the C# side to compare and reuse. Prints one JSON line.
import * as Y from 'yjs'
import { writeFileSync } from 'node:fs'

const [count, rounds, dir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]]
let seed = 7
const r = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
const docs = [1, 2, 3].map(id => { const d = new Y.Doc({ guid: 'bench' }); d.clientID = id; return d })
const updates = []
docs.forEach(d => d.on('update', (u, origin) => { if (origin !== 'remote') updates.push(u) }))
const peer = new Y.Doc({ guid: 'bench' })
while (updates.length < count) {
  const d = docs[Math.floor(r() * 3)]
  const text = d.getText('text')
  if (d.clientID === 2) d.getMap('map').set(`k${Math.floor(r() * 50)}`, { at: updates.length, v: r() })
  else if (d.clientID === 3 && text.length > 10) text.delete(Math.floor(r() * (text.length - 5)), 3)
  else text.insert(Math.floor(r() * (text.length + 1)), 'abcdefghij'[Math.floor(r() * 10)])
  const last = updates[updates.length - 1]
  docs.forEach(o => { if (o !== d) Y.applyUpdate(o, last, 'remote') })
  if (updates.length === Math.floor(count / 2)) updates.forEach(u => Y.applyUpdate(peer, u))
}
const median = f => {
  const times = []
  let result
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint()
    result = f()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return { result, ms: times[Math.floor(times.length / 2)] }
}
const merge = median(() => Y.mergeUpdates(updates))
const sv = median(() => Y.encodeStateVectorFromUpdate(merge.result))
const peerSv = Y.encodeStateVector(peer)
const diff = median(() => Y.diffUpdate(merge.result, peerSv))
writeFileSync(`${dir}/updates.json`, JSON.stringify(updates.map(u => Buffer.from(u).toString('base64'))))
writeFileSync(`${dir}/merged.bin`, merge.result)
writeFileSync(`${dir}/peer-sv.bin`, peerSv)
writeFileSync(`${dir}/diff.bin`, diff.result)
process.stdout.write(JSON.stringify({
  updates: updates.length,
  updateBytes: updates.reduce((n, u) => n + u.length, 0),
  mergedBytes: merge.result.length,
  mergeMs: merge.ms,
  stateVectorMs: sv.ms,
  diffMs: diff.ms
}) + '\n')
