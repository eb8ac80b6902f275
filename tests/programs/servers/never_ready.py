"""Test server: listens but never prints its ready line."""

import socket
import sys
import time

tag = sys.argv[1]
listener = socket.create_server(("127.0.0.1", 0))
time.sleep(3600)
