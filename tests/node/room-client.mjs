// One unmodified y-websocket client (yjs + y-websocket + ws) for the room tests, driven over
// stdin/stdout with JSON lines. Usage: node room-client.mjs '<json options>'
//   options: { url, room, token?, ticket?, header? (send the token as Authorization instead of
//   ?token=), loopback? (resolve every name to 127.0.0.1, as curl --resolve does), ca? (a PEM file
//   of the certificate authority a wss:// server's certificate must chain to) }
// Commands (stdin): insert {text}, inserts {text, count} (one transaction each), set {key, value}
// (a map entry), awareness {state}, renew (the same awareness state again), raw {base64},
// dump, quit. Events (stdout): ready, status, synced, close, closed, warn, text, map, awareness
// (a state changed), awareness-update (any remote update, renewals included), dump.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import readline from 'node:readline'
import { readFileSync } from 'node:fs'

const options = JSON.parse(process.argv[2])
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\n')

// y-websocket reports permission-denied with console.warn: pass it on as an event.
console.warn = (...args) => emit({ event: 'warn', text: args.join(' ') })

const wsOptions = {}
if (options.header) {
  wsOptions.headers = { Authorization: `Bearer ${options.token}` }
}
if (options.ca) {
  wsOptions.ca = readFileSync(options.ca)
}
if (options.loopback) {
  wsOptions.lookup = (_host, lookupOptions, callback) => {
    if (lookupOptions && lookupOptions.all) callback(null, [{ address: '127.0.0.1', family: 4 }])
    else callback(null, '127.0.0.1', 4)
  }
}
class PolyfillWebSocket extends WebSocket {
  constructor (url, protocols) {
    super(url, protocols, wsOptions)
  }
}

const params = {}
if (options.token && !options.header) params.token = options.token
if (options.ticket) params.ticket = options.ticket

const doc = new Y.Doc()
const text = doc.getText('text')
const map = doc.getMap('map')
const provider = new WebsocketProvider(options.url, options.room, doc, {
  WebSocketPolyfill: PolyfillWebSocket,
  params,
  disableBc: true
})
const awareness = provider.awareness
awareness.setLocalState(null) // no state until the test sets one

provider.on('status', ({ status }) => emit({ event: 'status', status }))
provider.on('sync', (synced) => emit({ event: 'synced', synced }))
provider.on('connection-close', (event) => emit({ event: 'close', code: event ? event.code : null, reason: event ? String(event.reason) : null }))
provider.on('closed', ({ code, reason }) => emit({ event: 'closed', code, reason: String(reason) }))
text.observe(() => emit({ event: 'text', text: text.toString() }))
map.observe(() => emit({ event: 'map', map: map.toJSON() }))
awareness.on('change', () => emit({ event: 'awareness', states: awarenessStates() }))
awareness.on('update', ({ added, updated, removed }, origin) => {
  if (origin !== 'local') emit({ event: 'awareness-update', added, updated, removed })
})

function awarenessStates () {
  return Array.from(awareness.getStates().entries())
    .filter(([clientId]) => clientId !== doc.clientID)
    .map(([clientId, state]) => ({ clientId, state }))
}

const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => {
  const command = JSON.parse(line)
  switch (command.op) {
    case 'insert':
      text.insert(text.length, command.text)
      break
    case 'inserts':
      for (let i = 0; i < command.count; i++) text.insert(text.length, command.text)
      break
    case 'set':
      map.set(command.key, command.value)
      break
    case 'awareness':
      awareness.setLocalState(command.state)
      break
    case 'renew':
      awareness.setLocalState(awareness.getLocalState())
      break
    case 'raw':
      provider.ws.send(Buffer.from(command.base64, 'base64'))
      break
    case 'dump':
      emit({ event: 'dump', text: text.toString(), map: map.toJSON(), clientId: doc.clientID, awareness: awarenessStates(), connected: provider.wsconnected, synced: provider.synced })
      break
    case 'quit':
      provider.destroy()
      process.exit(0)
  }
})
lines.on('close', () => {
  provider.destroy()
  process.exit(0)
})
emit({ event: 'ready', clientId: doc.clientID })
