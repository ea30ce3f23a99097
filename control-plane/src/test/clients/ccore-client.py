"""The gRPC C-core (Debian python3-grpcio) client of ConformanceMatrixTest.

Bootstrapped from GRPC_XDS_BOOTSTRAP. Reads one command a line on stdin and answers each with one
line on stdout:
  call TARGET [DEADLINE_MS]  ->  "ok REPLY" or "err CODE DESCRIPTION" (deadline 10 s by default)
Channels are kept per target. Prints "ready" once loaded; ends when stdin closes.
"""
import os
import sys

import grpc

channels = {}


def stub(target):
    if target not in channels:
        if os.environ.get("TRELLIS_XDS_CREDENTIALS") == "xds":
            creds = grpc.xds_channel_credentials(grpc.local_channel_credentials())
            channel = grpc.secure_channel(target, creds)
        else:
            channel = grpc.insecure_channel(target)
        channels[target] = channel.unary_unary(
            "/trellis.e2e.Echo/Who", request_serializer=bytes, response_deserializer=bytes)
    return channels[target]


def call(parts):
    if len(parts) < 2 or parts[0] != "call":
        return "err UNKNOWN_COMMAND " + " ".join(parts)
    ms = int(parts[2]) if len(parts) > 2 else 10000
    try:
        reply = stub(parts[1])(b"who", timeout=ms / 1000.0 if ms > 0 else None)
        return "ok " + reply.decode("utf-8")
    except grpc.RpcError as e:
        return "err %s %s" % (e.code().name, str(e.details()).replace("\n", " "))


def main():
    print("ready", flush=True)
    for line in sys.stdin:
        print(call(line.split()), flush=True)


if __name__ == "__main__":
    main()
