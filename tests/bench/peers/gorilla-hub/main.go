package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	port := flag.Int("port", 8092, "port to listen on")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	flag.Parse()

	hub := newHub()
	go hub.run()
	mux := http.NewServeMux()
	// Every path is a WebSocket endpoint, as for the ws peer.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		serveWs(hub, w, r)
	})

	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatalf("gorilla-hub: %v", err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		ln.Close()
		os.Exit(0)
	}()
	fmt.Printf("listening on %d\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	server := &http.Server{Handler: mux}
	if err := server.Serve(ln); err != nil {
		log.Fatalf("gorilla-hub: %v", err)
	}
}
