// Package instance keeps the app to one window per data directory: the
// first instance listens on a loopback TCP port and writes the address and
// a random token into the data directory; a second start connects, asks
// the first to bring its window forward, and exits.
//
// Loopback TCP rather than a unix socket or a named pipe because it works
// the same on Windows, macOS and Linux without platform code. The token
// (in a file only the user can read) keeps other local users' programs
// from poking the window; it is not a secret worth more than that.
package instance

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// FileName is the file in the data directory that holds "ADDR TOKEN".
const FileName = "instance.addr"

const (
	reqShow = "show"
	respOK  = "ok"
)

// Server answers "show" requests from later starts.
type Server struct {
	ln     net.Listener
	path   string
	token  string
	onShow func()
	wg     sync.WaitGroup
	once   sync.Once
}

// Listen starts answering in dir: each valid request calls onShow (from a
// background goroutine; the caller marshals to the UI itself).
func Listen(dir string, onShow func()) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{ln: ln, path: filepath.Join(dir, FileName), token: hex.EncodeToString(buf), onShow: onShow}
	// Written to a temporary name and renamed, so that a second start never
	// reads half a file.
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(ln.Addr().String()+" "+s.token+"\n"), 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		ln.Close()
		return nil, err
	}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr is the address listened on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

func (s *Server) handle(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return
	}
	f := strings.Fields(line)
	if len(f) != 2 || f[0] != reqShow || f[1] != s.token {
		fmt.Fprintln(c, "denied")
		return
	}
	if s.onShow != nil {
		s.onShow()
	}
	fmt.Fprintln(c, respOK)
}

// Close stops answering and removes the address file if it is still ours.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		err = s.ln.Close()
		if b, rerr := os.ReadFile(s.path); rerr == nil && strings.Contains(string(b), s.token) {
			os.Remove(s.path)
		}
		s.wg.Wait()
	})
	return err
}

// ErrNoInstance means no running instance answered: there is no address
// file, or it is stale (left by a crash) and nothing listens there.
var ErrNoInstance = errors.New("instance: no running instance answered")

// Show asks the instance running on dir to bring its window forward. It
// returns nil when it did, ErrNoInstance when nothing answered.
func Show(dir string, timeout time.Duration) error {
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		return ErrNoInstance
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return ErrNoInstance
	}
	host, _, err := net.SplitHostPort(f[0])
	if err != nil || host != "127.0.0.1" { // never talk to anything but loopback
		return ErrNoInstance
	}
	c, err := net.DialTimeout("tcp", f[0], timeout)
	if err != nil {
		return ErrNoInstance
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := fmt.Fprintf(c, "%s %s\n", reqShow, f[1]); err != nil {
		return ErrNoInstance
	}
	resp, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || strings.TrimSpace(resp) != respOK {
		// Something listens on the port but is not us (the port was reused
		// after a crash) or it refused the token.
		return ErrNoInstance
	}
	return nil
}
