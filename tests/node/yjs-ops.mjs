// Runs yjs's update functions on given updates, for tests that compare our bytes with yjs's.
//
//   node yjs-ops.mjs <requests.json>
//     requests: [{ "op": "merge" | "diff" | "stateVector" | "apply", "updates": [base64…], "sv": base64 }]
//     prints one JSON array with, per request, { "bytes": base64 } or { "error": message };
//     "apply" applies the updates in a fresh Y.Doc and gives its state as an update plus its text.
import * as Y from 'yjs'
import { readFileSync } from 'node:fs'

const b64 = u => Buffer.from(u).toString('base64')
const unb64 = s => new Uint8Array(Buffer.from(s, 'base64'))

const run = request => {
  const updates = request.updates.map(unb64)
  switch (request.op) {
    case 'merge': return { bytes: b64(Y.mergeUpdates(updates)) }
    case 'diff': return { bytes: b64(Y.diffUpdate(updates[0], unb64(request.sv))) }
    case 'stateVector': return { bytes: b64(Y.encodeStateVectorFromUpdate(updates[0])) }
    case 'apply': {
      const doc = new Y.Doc()
      updates.forEach(u => Y.applyUpdate(doc, u))
      return { bytes: b64(Y.encodeStateAsUpdate(doc)), text: doc.getText('text').toString() }
    }
    default: throw new Error(`unknown op ${request.op}`)
  }
}

const requests = JSON.parse(readFileSync(process.argv[2], 'utf8'))
process.stdout.write(JSON.stringify(requests.map(request => {
  try {
    return run(request)
  } catch (error) {
    return { error: String(error) }
  }
})) + '\n')
