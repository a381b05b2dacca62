package idp

import (
	"sync"

	"github.com/credworkbench/credworkbench/oauthflow/idp/idptest"
)

var (
	browserClient = idptest.Browser
	openStart     = idptest.OpenStart
)

// browsers holds the browser each login was started in, by listener host:
// fetch acts as that browser (with the start cookie).
var browsers sync.Map
