// Benchmark peer: the room broadcast hub of tests/bench/peers/ws-server.mjs in Go on
// gorilla/websocket, modelled on gorilla's own examples/chat (hub.go, client.go): one hub
// goroutine owns every map and is reached through channels (register, unregister, join,
// broadcast, reply); each client has a readPump and a writePump goroutine and a buffered send
// channel. Differences from the example, all for the peers' protocol: rooms (a broadcast goes
// to one room's members), the JSON messages below, and one message per WebSocket frame (the
// example joins queued messages with newlines into one frame).
//
//	gorilla-hub --port P [--host 127.0.0.1]     prints "listening on P" once it accepts
//
// Protocol (WebSocket text frames, one JSON object each; no compression):
//
//	client -> server  {"type":"join","room":"r1"}
//	                  {"type":"post","room":"r1","text":"..."}
//	                  {"type":"ping","id":N}
//	server -> every member of the room, the sender included
//	                  {"type":"message","room":"r1","text":"..."}
//	server -> the sender only
//	                  {"type":"pong","id":N}          (id echoed as given)
package main

// roomMessage is a broadcast to the members of one room, marshalled once.
type roomMessage struct {
	room string
	data []byte
}

type joinRequest struct {
	client *Client
	room   string
}

// directMessage goes to one client only (a pong).
type directMessage struct {
	client *Client
	data   []byte
}

// Hub maintains the set of active clients and rooms and broadcasts messages to a room's
// members. Only the hub goroutine touches its maps and the clients' room lists.
type Hub struct {
	// Registered clients.
	clients map[*Client]bool

	// Members of each room.
	rooms map[string]map[*Client]bool

	// Inbound messages from the clients.
	broadcast chan roomMessage
	reply     chan directMessage
	join      chan joinRequest

	// Register requests from the clients.
	register chan *Client

	// Unregister requests from clients.
	unregister chan *Client
}

func newHub() *Hub {
	return &Hub{
		broadcast:  make(chan roomMessage),
		reply:      make(chan directMessage),
		join:       make(chan joinRequest),
		register:   make(chan *Client),
		unregister: make(chan *Client),
		clients:    make(map[*Client]bool),
		rooms:      make(map[string]map[*Client]bool),
	}
}

// remove forgets a client and closes its send channel (its writePump then closes the
// connection), as the example does for a client that left or whose buffer is full.
func (h *Hub) remove(client *Client) {
	if _, ok := h.clients[client]; !ok {
		return
	}
	delete(h.clients, client)
	for _, room := range client.rooms {
		members := h.rooms[room]
		delete(members, client)
		if len(members) == 0 {
			delete(h.rooms, room)
		}
	}
	client.rooms = nil
	close(client.send)
}

func (h *Hub) deliver(client *Client, data []byte) {
	select {
	case client.send <- data:
	default:
		h.remove(client)
	}
}

func (h *Hub) run() {
	for {
		select {
		case client := <-h.register:
			h.clients[client] = true
		case client := <-h.unregister:
			h.remove(client)
		case j := <-h.join:
			if _, ok := h.clients[j.client]; !ok {
				break
			}
			members := h.rooms[j.room]
			if members == nil {
				members = make(map[*Client]bool)
				h.rooms[j.room] = members
			}
			if !members[j.client] {
				members[j.client] = true
				j.client.rooms = append(j.client.rooms, j.room)
			}
		case m := <-h.broadcast:
			for client := range h.rooms[m.room] {
				h.deliver(client, m.data)
			}
		case d := <-h.reply:
			if _, ok := h.clients[d.client]; ok {
				h.deliver(d.client, d.data)
			}
		}
	}
}
