package testcluster

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// demoLines makes up log lines of the kinds a log viewer has to cope with:
// access logs, JSON, ANSI colours and the odd very long line.
type demoLines struct {
	r *rand.Rand
}

var (
	demoPaths   = []string{"/", "/healthz", "/api/orders", "/api/orders/%d", "/api/users/%d", "/static/app.js", "/api/cart", "/login"}
	demoMethods = []string{"GET", "GET", "GET", "GET", "POST", "PUT", "DELETE"}
	demoStatus  = []int{200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 404, 500, 503}
	demoAgents  = []string{"curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "kube-probe/1.36", "Go-http-client/2.0"}
	demoMsgs    = []string{"request served", "cache miss", "order created", "user logged in", "retrying upstream", "config reloaded", "connection pool resized"}
)

// line returns a line as container would write it at t.
func (g demoLines) line(container string, t time.Time) string {
	roll := g.r.IntN(100)
	switch container {
	case "sidecar":
		switch {
		case roll < 50:
			return g.json(t, "sync", fmt.Sprintf("pulled config version %d", 1000+g.r.IntN(9000)))
		case roll < 90:
			return g.access(t)
		default:
			return g.colored()
		}
	case "api":
		switch {
		case roll < 65:
			return g.json(t, "api", demoMsgs[g.r.IntN(len(demoMsgs))])
		case roll < 88:
			return g.access(t)
		case roll < 97:
			return g.colored()
		default:
			return g.long(t)
		}
	}
	switch {
	case roll < 50:
		return g.access(t)
	case roll < 80:
		return g.json(t, "app", demoMsgs[g.r.IntN(len(demoMsgs))])
	case roll < 90:
		return g.colored()
	case roll < 97:
		return fmt.Sprintf("%s INFO  worker %d finished job %d in %dms", t.UTC().Format("2006-01-02 15:04:05.000"),
			g.r.IntN(8), g.r.IntN(100000), g.r.IntN(900))
	default:
		return g.long(t)
	}
}

// access returns a combined-format access log line.
func (g demoLines) access(t time.Time) string {
	path := demoPaths[g.r.IntN(len(demoPaths))]
	if strings.Contains(path, "%d") {
		path = fmt.Sprintf(path, g.r.IntN(5000))
	}
	return fmt.Sprintf(`10.244.0.%d - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s" %.3f`,
		2+g.r.IntN(250), t.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		demoMethods[g.r.IntN(len(demoMethods))], path,
		demoStatus[g.r.IntN(len(demoStatus))], g.r.IntN(20000),
		demoAgents[g.r.IntN(len(demoAgents))], g.r.Float64()/4)
}

// json returns a structured log line.
func (g demoLines) json(t time.Time, logger, msg string) string {
	level := []string{"debug", "info", "info", "info", "info", "warn", "error"}[g.r.IntN(7)]
	return fmt.Sprintf(`{"ts":%q,"level":%q,"logger":%q,"msg":%q,"duration_ms":%.1f,"trace_id":"%016x"}`,
		t.UTC().Format(time.RFC3339Nano), level, logger, msg, g.r.Float64()*250, g.r.Uint64())
}

// colored returns a line with ANSI colour escapes, as a program writing
// to a terminal-minded logger does.
func (g demoLines) colored() string {
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("\x1b[31mERROR\x1b[0m payment gateway timeout after %dms (order=%d, attempt=%d)",
			1000+g.r.IntN(4000), g.r.IntN(100000), 1+g.r.IntN(3))
	case 1:
		return fmt.Sprintf("\x1b[33mWARN\x1b[0m  slow query took %dms: SELECT * FROM orders WHERE customer_id = $1", 500+g.r.IntN(3000))
	default:
		return fmt.Sprintf("\x1b[1;32mOK\x1b[0m    health check passed (%d checks, \x1b[36m%dms\x1b[0m)", 3+g.r.IntN(5), g.r.IntN(40))
	}
}

// long returns a line of a few thousand bytes, as a debug dump of a
// request tends to be.
func (g demoLines) long(t time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"ts":%q,"level":"debug","msg":"request dump","headers":{`, t.UTC().Format(time.RFC3339Nano))
	n := 60 + g.r.IntN(120)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"x-demo-header-%03d":"%016x%016x"`, i, g.r.Uint64(), g.r.Uint64())
	}
	b.WriteString("}}")
	return b.String()
}

// crash returns the log of a run that ended in a Go panic, for the demo's
// previous container log.
func (g demoLines) crash(t time.Time) []string {
	var lines []string
	for i := range 25 {
		lines = append(lines, g.line("app", t.Add(time.Duration(i)*time.Second)))
	}
	return append(lines,
		"panic: runtime error: invalid memory address or nil pointer dereference",
		"[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6d5f2a]",
		"",
		"goroutine 42 [running]:",
		"example.com/shop/internal/orders.(*Service).Checkout(0x0, {0x9a1c40, 0xc0001a2000}, 0xc0002b6000)",
		"\t/src/internal/orders/service.go:118 +0x4a",
		"example.com/shop/internal/http.(*Handler).checkout(0xc00012c0f0, {0x9a0f60, 0xc0003c01c0}, 0xc0003b4100)",
		"\t/src/internal/http/orders.go:57 +0x1c5",
		"net/http.HandlerFunc.ServeHTTP(0xc000130500, {0x9a0f60, 0xc0003c01c0}, 0xc0003b4100)",
		"\t/usr/local/go/src/net/http/server.go:2294 +0x29",
		"created by net/http.(*Server).Serve in goroutine 1",
		"\t/usr/local/go/src/net/http/server.go:3454 +0x485",
	)
}
