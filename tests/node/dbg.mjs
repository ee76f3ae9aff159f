import * as Y from 'yjs'
import { readFileSync } from 'node:fs'
const dir = process.argv[2]; const i = Number(process.argv[3])
const s = JSON.parse(readFileSync(dir + '/sessions.json', 'utf8'))[i]
const res = JSON.parse(readFileSync(dir + '/results.json', 'utf8'))[i]
const unb64 = x => new Uint8Array(Buffer.from(x, 'base64'))
const ups = s.updates.map(unb64)
const theirs = Y.mergeUpdates(ups)
const ours = unb64(res.merge)
console.log('equal', Buffer.compare(Buffer.from(theirs), Buffer.from(ours)) === 0, theirs.length, ours.length)
const show = st => st.constructor.name + ' ' + st.id.client + ':' + st.id.clock + ' len ' + st.length + (st.content ? ' ' + st.content.constructor.name + ' ' + String(st.content.str ?? st.content.len ?? (st.content.arr ? st.content.arr.length + ' vals' : '')) + ' o=' + JSON.stringify(st.origin) + ' ro=' + JSON.stringify(st.rightOrigin) + ' p=' + JSON.stringify(st.parent) + ' ps=' + st.parentSub : '')
const a = Y.decodeUpdate(theirs).structs.map(show), b = Y.decodeUpdate(ours).structs.map(show)
for (let k = 0; k < Math.max(a.length, b.length); k++) if (a[k] !== b[k]) { console.log(k, '\n yjs ', a.slice(k, k + 3).join('\n      '), '\n ours', b.slice(k, k + 3).join('\n      ')); break }
const da = Y.decodeUpdate(theirs).ds, db = Y.decodeUpdate(ours).ds
console.log(JSON.stringify([...da.clients]) === JSON.stringify([...db.clients]) ? 'ds equal' : 'ds differ ' + JSON.stringify([...da.clients]) + ' ' + JSON.stringify([...db.clients]))
