// Room benchmark clients: unmodified yjs + y-websocket providers under node, pointed at any
// y-websocket server (ours or the reference one). One JSON line of results on stdout.
//
//   node rooms.mjs fanout <server-url> <room> [clients=100] [edits=20] [interval-ms=50]
//       every client makes small edits; latency until every other client has an edit
//   node rooms.mjs fanout-light <server-url> <room> [clients=100] [edits=20] [interval-ms=50]
//       the same with light clients: raw WebSockets sending updates yjs encoded beforehand and
//       finding each edit's key in the bytes they receive, so that the clients cost little and
//       the server is what is measured
//   node rooms.mjs memory <server-url> <room,room,...|@file> [clients-per-room=2]
//       connects clients to many rooms, each makes one edit, then waits for SIGTERM/stdin close
//   node rooms.mjs size <server-url> <room> [megabytes=10]
//       one client writes a document of that size; a new client's time to sync it
//
// <server-url> is the y-websocket serverUrl (the room name is appended as a path segment);
// DEMIURGE_TOKEN, when set, is sent as ?token= (y-websocket's params), as a browser would.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'

process.setMaxListeners(0) // y-websocket adds an exit listener per provider
const [mode, url, rooms, ...rest] = process.argv.slice(2)
const params = process.env.DEMIURGE_TOKEN ? { token: process.env.DEMIURGE_TOKEN } : {}

function connect (room) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(url, room, doc, { WebSocketPolyfill: WebSocket, params, disableBc: true })
  const synced = new Promise(resolve => {
    if (provider.synced) resolve()
    else provider.once('sync', isSynced => isSynced && resolve())
  })
  return { doc, provider, synced }
}

function percentile (sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function fanout (room, clients = 100, edits = 20, interval = 50) {
  const peers = Array.from({ length: clients }, () => connect(room))
  await Promise.all(peers.map(p => p.synced))
  // An edit's key is "<client>:<n>"; it is done when all other clients have seen it.
  const sentAt = new Map()
  const seen = new Map()
  const latencies = []
  let pending = clients * edits
  let resolveAll
  const allDone = new Promise(resolve => { resolveAll = resolve })
  peers.forEach((peer, index) => {
    peer.doc.getMap('edits').observe(event => {
      if (event.transaction.local) return
      for (const key of event.keysChanged) {
        const count = (seen.get(key) ?? 0) + 1
        seen.set(key, count)
        if (count === clients - 1) {
          latencies.push(performance.now() - sentAt.get(key))
          if (--pending === 0) resolveAll()
        }
      }
    })
    peer.index = index
  })
  const start = performance.now()
  await Promise.all(peers.map(async (peer, index) => {
    await sleep(Math.random() * interval)
    for (let n = 0; n < edits; n++) {
      const key = `${index}:${n}`
      sentAt.set(key, performance.now())
      peer.doc.getMap('edits').set(key, n)
      await sleep(interval)
    }
  }))
  const timeout = sleep(120_000).then(() => 'timeout')
  const outcome = await Promise.race([allDone, timeout])
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const result = {
    mode: 'fanout', clients, edits: clients * edits, delivered: latencies.length, timed_out: outcome === 'timeout',
    p50_ms: +percentile(latencies, 50).toFixed(2), p99_ms: +percentile(latencies, 99).toFixed(2),
    updates_per_second: +(latencies.length / seconds).toFixed(1),
    // Every edit reaches clients-1 others: messages the server sent per second.
    deliveries_per_second: +(latencies.length * (clients - 1) / seconds).toFixed(0)
  }
  peers.forEach(p => p.provider.destroy())
  return result
}

// A light client: sync step 1 of an empty document, then pre-encoded sync updates. Each client's
// edits set distinct keys of the root map, so each update stands alone.
async function fanoutLight (room, clients = 100, edits = 20, interval = 50) {
  const frame = (type, payload) => {
    const length = []
    for (let n = payload.length; ; n >>>= 7) { if (n < 128) { length.push(n); break } length.push((n & 127) | 128) }
    return Buffer.concat([Buffer.from([0, type, ...length]), Buffer.from(payload)])
  }
  const query = process.env.DEMIURGE_TOKEN ? `?token=${encodeURIComponent(process.env.DEMIURGE_TOKEN)}` : ''
  const sentAt = new Map()
  const seen = new Map()
  const latencies = []
  let pending = clients * edits
  let resolveAll
  const allDone = new Promise(resolve => { resolveAll = resolve })
  const marker = /k(\d+)_(\d+)x/g
  const sockets = await Promise.all(Array.from({ length: clients }, (_, index) => new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}/${room}${query}`)
    socket.binaryType = 'nodebuffer'
    socket.on('open', () => { socket.send(Buffer.from([0, 0, 1, 0])); resolve(socket) })
    socket.on('error', reject)
    socket.on('message', data => {
      if (data[0] !== 0 || data[1] !== 2) return
      for (const match of data.toString('latin1').matchAll(marker)) {
        if (Number(match[1]) === index) continue
        const key = `${match[1]}_${match[2]}`
        const count = (seen.get(key) ?? 0) + 1
        seen.set(key, count)
        if (count === clients - 1) {
          latencies.push(performance.now() - sentAt.get(key))
          if (--pending === 0) resolveAll()
        }
      }
    })
  })))
  // Every client's updates, encoded by yjs before the clock starts.
  const updates = sockets.map((_, index) => {
    const doc = new Y.Doc()
    const list = []
    doc.on('update', update => list.push(frame(2, update)))
    for (let n = 0; n < edits; n++) doc.getMap('edits').set(`k${index}_${n}x`, n)
    return list
  })
  await sleep(500)
  const start = performance.now()
  await Promise.all(sockets.map(async (socket, index) => {
    await sleep(Math.random() * interval)
    for (let n = 0; n < edits; n++) {
      sentAt.set(`${index}_${n}`, performance.now())
      socket.send(updates[index][n])
      await sleep(interval)
    }
  }))
  const outcome = await Promise.race([allDone, sleep(120_000).then(() => 'timeout')])
  const seconds = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  sockets.forEach(s => s.close())
  return {
    mode: 'fanout-light', clients, edits: clients * edits, delivered: latencies.length, timed_out: outcome === 'timeout',
    p50_ms: +percentile(latencies, 50).toFixed(2), p99_ms: +percentile(latencies, 99).toFixed(2),
    updates_per_second: +(latencies.length / seconds).toFixed(1)
  }
}

async function memory (roomList, perRoom = 2) {
  const names = roomList.startsWith('@') ? readFileSync(roomList.slice(1), 'utf8').split(/\s+/).filter(Boolean) : roomList.split(',')
  const peers = []
  // In waves, so that neither server sees a thundering herd of handshakes.
  for (let i = 0; i < names.length; i += 50) {
    const wave = names.slice(i, i + 50).flatMap(name => Array.from({ length: perRoom }, () => connect(name)))
    await Promise.all(wave.map(p => p.synced))
    wave.forEach((p, k) => p.doc.getText('t').insert(0, `room ${names[i + Math.floor(k / perRoom)]} client ${k % perRoom}`))
    peers.push(...wave)
  }
  await sleep(1000)
  console.log(JSON.stringify({ mode: 'memory', rooms: names.length, clients: peers.length, connected: peers.filter(p => p.provider.wsconnected).length }))
  // The caller reads the server's RSS now, then closes stdin.
  await new Promise(resolve => { process.stdin.on('end', resolve); process.stdin.on('close', resolve); process.stdin.resume() })
  peers.forEach(p => p.provider.destroy())
  return null
}

async function size (room, megabytes = 10) {
  const writer = connect(room)
  await writer.synced
  const text = writer.doc.getText('t')
  const chunk = 'x'.repeat(64 * 1024)
  writer.doc.transact(() => {
    for (let i = 0; i < megabytes * 16; i++) text.insert(text.length, chunk)
  })
  const bytes = Y.encodeStateAsUpdate(writer.doc).length
  // The server has it once a second client, connected now, syncs the whole length.
  await sleep(500)
  const start = performance.now()
  const reader = connect(room)
  await reader.synced
  while (reader.doc.getText('t').length < text.length) await sleep(5)
  const ms = performance.now() - start
  writer.provider.destroy()
  reader.provider.destroy()
  return { mode: 'size', document_bytes: bytes, sync_ms: +ms.toFixed(1) }
}

const numbers = rest.map(Number)
const result = mode === 'fanout' ? await fanout(rooms, ...numbers)
  : mode === 'fanout-light' ? await fanoutLight(rooms, ...numbers)
  : mode === 'memory' ? await memory(rooms, ...numbers)
    : mode === 'size' ? await size(rooms, ...numbers)
      : (() => { throw new Error(`unknown mode ${mode}`) })()
if (result) console.log(JSON.stringify(result))
process.exit(0)
