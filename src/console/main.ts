// The web console's entry point: wiring only. See connection.ts (the socket), feeds.ts (topics
// shared by the panels), discovery.ts (rpc.discover), and one module per panel.
import { Connection } from "./connection.ts";
import { setupConnectionView } from "./connection-view.ts";
import { DiscoveryStore } from "./discovery.ts";
import { Feeds } from "./feeds.ts";
import { setupMethods } from "./methods.ts";
import { setupPackages } from "./packages.ts";
import { setupStatus } from "./status.ts";
import { setupTabs } from "./tabs.ts";
import { setupTopics } from "./topics.ts";

const connection = new Connection();
const feeds = new Feeds();
const discovery = new DiscoveryStore(feeds);

// Feeds and discovery attach first, so panels see a new connection's data through them.
connection.listen({
  open: (client) => {
    feeds.attach(client);
    discovery.attach(client);
  },
  close: () => {
    feeds.detach();
    discovery.detach();
  },
});
discovery.listen((d) => feeds.renew(new Set(d.topics.map((t) => t.name))));
setupConnectionView(connection);
setupTabs();
setupMethods(discovery, connection);
setupTopics(discovery, feeds);
setupPackages(connection, feeds);
setupStatus(connection, feeds, discovery);
connection.start();
