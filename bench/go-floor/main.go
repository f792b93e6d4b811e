// The API benchmark's Go HTTP floor: the same two routes as bench/http-floor-server.ts (a bare Node.js
// server), in Go, the original CRM's language, with the official MongoDB Go driver and net/http and
// nothing else. Its CPU per request at the pace the database allows shows what the original's runtime
// pays before any work of its own, beside what Node.js pays.
//
// Started by bench/api.bench.ts with MONGO_URI, MONGO_NAME and PORT; answers
//
//	GET /<collection>/<id>                          findOne by _id
//	GET /<collection>?organization=&document_token= find by document token, 10 at most, in _id order
//
// and prints "ready" once listening. It ends on SIGTERM or when its standard input closes.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func main() {
	uri, name, port := os.Getenv("MONGO_URI"), os.Getenv("MONGO_NAME"), os.Getenv("PORT")
	if uri == "" || name == "" || port == "" {
		fail(fmt.Errorf("MONGO_URI, MONGO_NAME and PORT are required"))
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		fail(err)
	}
	db := client.Database(name)

	listener, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fail(err)
	}
	fmt.Println("ready")
	// Started by the bench with a pipe as standard input: it closes when the bench ends, whatever ends it.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	go func() {
		signals := make(chan os.Signal, 1)
		signal.Notify(signals, syscall.SIGTERM)
		<-signals
		os.Exit(0)
	}()
	fail(http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := answer(r.Context(), db, r)
		if err != nil {
			w.Header().Set("content-type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(err.Error()))
			return
		}
		w.Header().Set("content-type", "application/json")
		if body == nil {
			w.WriteHeader(http.StatusNotFound)
		}
		_ = json.NewEncoder(w).Encode(body)
	})))
}

// answer runs the route's query and gives the body to send (nil: not found).
func answer(ctx context.Context, db *mongo.Database, r *http.Request) (any, error) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	collection := db.Collection(parts[0])
	if len(parts) > 1 {
		var record bson.M
		err := collection.FindOne(ctx, bson.D{{Key: "_id", Value: parts[1]}}).Decode(&record)
		if err == mongo.ErrNoDocuments {
			return nil, nil
		}
		return record, err
	}
	query := r.URL.Query()
	filter := bson.D{
		{Key: "organizationId", Value: query.Get("organization")},
		{Key: "search.document", Value: query.Get("document_token")},
		{Key: "deletedAt", Value: nil},
	}
	cursor, err := collection.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(10))
	if err != nil {
		return nil, err
	}
	items := []bson.M{}
	if err := cursor.All(ctx, &items); err != nil {
		return nil, err
	}
	return map[string]any{"items": items}, nil
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "go http floor: %v\n", err)
	os.Exit(1)
}
