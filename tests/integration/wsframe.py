"""WebSocket frames (RFC 6455 §5) for the tests' client and application:
text frames out (masked from a client), any frame in."""
import os
import struct


def send(out, text, masked=False):
    data = text.encode()
    n = len(data)
    bit = 0x80 if masked else 0
    head = bytes([0x81, bit | n]) if n < 126 else (
        bytes([0x81, bit | 126]) + struct.pack("!H", n) if n < 65536
        else bytes([0x81, bit | 127]) + struct.pack("!Q", n))
    if masked:
        mask = os.urandom(4)
        head += mask
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
    out.write(head + data)
    out.flush()


def recv(inp):
    """(opcode, payload) of the next frame, unmasked."""
    b0, b1 = inp.read(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", inp.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", inp.read(8))[0]
    mask = inp.read(4) if b1 & 0x80 else b"\0\0\0\0"
    return b0 & 0x0F, bytes(c ^ mask[i % 4] for i, c in enumerate(inp.read(n)))
