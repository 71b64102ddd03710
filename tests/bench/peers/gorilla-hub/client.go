package main

import (
	"encoding/json"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// Time allowed to write a message to the peer.
	writeWait = 10 * time.Second

	// Time allowed to read the next pong message from the peer.
	pongWait = 60 * time.Second

	// Send pings to peer with this period. Must be less than pongWait.
	pingPeriod = (pongWait * 9) / 10

	// Maximum message size allowed from peer (the ws peer's maxPayload).
	maxMessageSize = 64 * 1024
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 1024,
	// The load generator is no browser; any origin (and none) is accepted, as by the ws peer.
	CheckOrigin:       func(r *http.Request) bool { return true },
	EnableCompression: false,
}

// Client is a middleman between the websocket connection and the hub.
type Client struct {
	hub *Hub

	// The websocket connection.
	conn      *websocket.Conn
	closeOnce sync.Once

	// Buffered channel of outbound messages.
	send chan []byte

	// Rooms joined (the hub goroutine's only).
	rooms []string
}

func (c *Client) closeConn() (err error) {
	c.closeOnce.Do(func() {
		err = c.conn.Close()
	})
	return err
}

type inbound struct {
	Type string          `json:"type"`
	Room *string         `json:"room"`
	Text *string         `json:"text"`
	ID   json.RawMessage `json:"id"`
}

type message struct {
	Type string `json:"type"`
	Room string `json:"room"`
	Text string `json:"text"`
}

type pong struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id,omitempty"`
}

// readPump pumps messages from the websocket connection to the hub.
//
// The application runs readPump in a per-connection goroutine. The application
// ensures that there is at most one reader on a connection by executing all
// reads from this goroutine.
func (c *Client) readPump() {
	defer func() {
		c.hub.unregister <- c
		c.closeConn()
	}()
	c.conn.SetReadLimit(maxMessageSize)
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { c.conn.SetReadDeadline(time.Now().Add(pongWait)); return nil })
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			if websocket.IsUnexpectedCloseError(err, websocket.CloseGoingAway, websocket.CloseAbnormalClosure) {
				log.Printf("error: %v", err)
			}
			break
		}
		if kind != websocket.TextMessage {
			continue
		}
		var in inbound
		if json.Unmarshal(data, &in) != nil {
			continue
		}
		switch {
		case in.Type == "ping":
			out, _ := json.Marshal(pong{Type: "pong", ID: in.ID})
			c.hub.reply <- directMessage{client: c, data: out}
		case in.Type == "join" && in.Room != nil:
			c.hub.join <- joinRequest{client: c, room: *in.Room}
		case in.Type == "post" && in.Room != nil && in.Text != nil:
			out, _ := json.Marshal(message{Type: "message", Room: *in.Room, Text: *in.Text})
			c.hub.broadcast <- roomMessage{room: *in.Room, data: out}
		}
	}
}

// writePump pumps messages from the hub to the websocket connection.
//
// A goroutine running writePump is started for each connection. The
// application ensures that there is at most one writer to a connection by
// executing all writes from this goroutine.
func (c *Client) writePump() {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		c.closeConn()
	}()
	for {
		select {
		case message, ok := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if !ok {
				// The hub closed the channel.
				c.conn.WriteMessage(websocket.CloseMessage, []byte{})
				return
			}
			if err := c.conn.WriteMessage(websocket.TextMessage, message); err != nil {
				return
			}

			// The queued messages, each its own frame (the example appends them to the
			// current frame with newlines). gorilla writes every frame to the socket when
			// the frame is complete, so this is one write per message either way.
			n := len(c.send)
			for i := 0; i < n; i++ {
				if err := c.conn.WriteMessage(websocket.TextMessage, <-c.send); err != nil {
					return
				}
			}
		case <-ticker.C:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

// serveWs handles websocket requests from the peer.
func serveWs(hub *Hub, w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		log.Println(err)
		return
	}
	client := &Client{hub: hub, conn: conn, send: make(chan []byte, 256)}
	client.hub.register <- client

	// Allow collection of memory referenced by the caller by doing all work in
	// new goroutines.
	go client.writePump()
	go client.readPump()
}
