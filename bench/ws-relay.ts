import http from "node:http";
import { WebSocketServer } from "ws";

/**
 * Baseline for the ingest benchmark: the least a relay can do. It accepts a POSTed JSON body and sends
 * it to every connected socket, with no database, no validation and no permissions.
 */
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const frame = Buffer.concat(chunks);
    for (const client of wss.clients) client.send(frame, { binary: false });
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
});
const wss = new WebSocketServer({ server });
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`RELAY_PORT=${typeof address === "object" && address ? address.port : 0}`);
});
