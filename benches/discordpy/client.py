"""A plain discord.py client for the scale benchmark's memory comparison: every shard in
one process (AutoShardedClient), the members intent on, the default cache. It connects to
agora-sim (REST base and gateway URL from the environment), prints one line when every
shard is READY and every guild is available, then waits to be killed.

    SIM_HTTP=http://127.0.0.1:PORT SIM_GATEWAY=ws://127.0.0.1:PORT/gateway SIM_TOKEN=... \
        SHARDS=8 python3 client.py
"""

import asyncio
import os
import sys

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

# Discord's addresses, pointed at the sim (discord.py has no setting for them).
Route.BASE = os.environ["SIM_HTTP"].rstrip("/") + "/api/v10"
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["SIM_GATEWAY"])

intents = discord.Intents.default()
intents.members = True
client = discord.AutoShardedClient(intents=intents, shard_count=int(os.environ.get("SHARDS", "1")))


@client.event
async def on_ready():
    members = sum(len(guild.members) for guild in client.guilds)
    print(f"READY guilds={len(client.guilds)} members={members}", flush=True)


async def main():
    async with client:
        await client.start(os.environ["SIM_TOKEN"])


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
