// Package s3blob keeps documents' objects in S3-compatible object storage
// (the government cloud's OSS, Ceph RGW, SeaweedFS …) through minio-go, a
// plain S3 client. It stores what it is given, which is ciphertext only
// (store/documents.go); it decides nothing about access.
package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"sealportal/store/blob"
)

// The credentials come from the environment, never from the URL, so that
// they appear in no command line, log or process listing.
const (
	EnvAccessKey = "PORTAL_S3_ACCESS_KEY"
	EnvSecretKey = "PORTAL_S3_SECRET_KEY"
)

// Config is where the objects go.
type Config struct {
	Endpoint  string // host:port
	Bucket    string
	Prefix    string // put before every key: several portals may share a bucket
	Region    string
	Secure    bool // HTTPS (the default); insecure=1 only for a loopback test server
	AccessKey string
	SecretKey string
}

// ParseURL reads s3://BUCKET[/PREFIX]?endpoint=HOST:PORT[&region=R][&insecure=1],
// taking the credentials from getenv (PORTAL_S3_ACCESS_KEY,
// PORTAL_S3_SECRET_KEY). A URL carrying credentials itself is refused.
func ParseURL(raw string, getenv func(string) string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, errors.New("blob: the object store URL does not parse")
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("blob: object store URL scheme %q: want s3://bucket?endpoint=host:port", u.Scheme)
	}
	if u.User != nil {
		return Config{}, fmt.Errorf("blob: put the object store's credentials in %s and %s, not in the URL", EnvAccessKey, EnvSecretKey)
	}
	q := u.Query()
	c := Config{Endpoint: q.Get("endpoint"), Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Region: q.Get("region"), Secure: true,
		AccessKey: getenv(EnvAccessKey), SecretKey: getenv(EnvSecretKey)}
	if v := q.Get("insecure"); v != "" {
		insecure, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("blob: insecure=%q is not a boolean", v)
		}
		c.Secure = !insecure
	}
	for k := range q {
		switch k {
		case "endpoint", "region", "insecure":
		default:
			return Config{}, fmt.Errorf("blob: unknown object store URL parameter %q", k)
		}
	}
	switch {
	case c.Bucket == "":
		return Config{}, errors.New("blob: the object store URL names no bucket (s3://bucket?endpoint=host:port)")
	case c.Prefix != "" && !strings.HasSuffix(c.Prefix, "/"):
		return Config{}, errors.New("blob: the object store URL's prefix must end in /")
	case c.Endpoint == "":
		return Config{}, errors.New("blob: the object store URL has no endpoint=host:port")
	case c.AccessKey == "" || c.SecretKey == "":
		return Config{}, fmt.Errorf("blob: set %s and %s for the object store", EnvAccessKey, EnvSecretKey)
	}
	return c, nil
}

// Redact is an object store URL fit for a log: it never carries
// credentials (ParseURL refuses those), so this drops only what a URL
// could carry by mistake.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "s3://(unparsable)"
	}
	u.User = nil
	return u.String()
}

// Store is an S3 bucket.
type Store struct {
	c      *minio.Client
	bucket string
	prefix string
	name   string
}

// Open connects to the bucket, creating it when it does not exist yet.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure, Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 client: %w", err)
	}
	s := &Store{c: c, bucket: cfg.Bucket, prefix: cfg.Prefix, name: fmt.Sprintf("s3://%s/%s (%s)", cfg.Bucket, cfg.Prefix, cfg.Endpoint)}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: %s: %w", s.name, err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("blob: %s: create bucket: %w", s.name, err)
		}
	}
	return s, nil
}

// Name is the bucket and endpoint, without credentials.
func (s *Store) Name() string { return s.name }

// Put uploads data in one request and returns once the server answered 200.
func (s *Store) Put(ctx context.Context, key string, data []byte) error {
	_, err := s.c.PutObject(ctx, s.bucket, s.prefix+key, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream", DisableMultipart: true})
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	return nil
}

// Get downloads an object.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	obj, err := s.c.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.getErr(key, err)
	}
	defer func() { _ = obj.Close() }()
	data, err := io.ReadAll(obj)
	if err != nil {
		return nil, s.getErr(key, err)
	}
	return data, nil
}

func (s *Store) getErr(key string, err error) error {
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return blob.ErrNotFound
	}
	return fmt.Errorf("blob: get %s: %w", key, err)
}

// Delete removes an object; a missing one is no error (S3's own answer).
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.c.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil
		}
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// List lists up to limit objects under prefix after after, in key order.
func (s *Store) List(ctx context.Context, prefix, after string, limit int) ([]blob.Object, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing once limit objects are in
	opts := minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true, MaxKeys: limit}
	if after != "" && strings.HasPrefix(after, prefix) {
		opts.StartAfter = s.prefix + after
	}
	var out []blob.Object
	for o := range s.c.ListObjects(ctx, s.bucket, opts) {
		if o.Err != nil {
			return nil, fmt.Errorf("blob: list %s: %w", s.name, o.Err)
		}
		key, ok := strings.CutPrefix(o.Key, s.prefix)
		if !ok || key <= after {
			continue // a server that ignores start-after
		}
		out = append(out, blob.Object{Key: key, Size: o.Size, Modified: o.LastModified})
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}
