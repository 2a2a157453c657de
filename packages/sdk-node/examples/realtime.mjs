// Live events: one socket, authenticated with the client's API key, reconnecting by itself.
import { GatrixClient } from '@gatrix/nodejs-sdk';

const client = new GatrixClient({ apiKey: process.env.GATRIX_API_KEY, baseURL: process.env.GATRIX_BASE_URL });

const socket = client.realtime.connect({
  events: ['user_registered', 'user_login', 'world_maintenance_started', 'world_maintenance_ended'],
});

socket.on('connect', () => console.log('connected'));
socket.on('connect_error', (err) => console.error(`cannot connect: ${err.message}`));
socket.on('disconnect', (reason) => console.log(`disconnected: ${reason}`));

socket.on('user_registered', (data) => console.log(`user_registered ${data.userId} ${data.user.username}`));
socket.on('user_login', (data) => console.log(`user_login ${data.userId} from ${data.ip}`));
socket.on('world_maintenance_started', (data) => console.log(`world_maintenance_started ${data.worldId}: ${data.message}`));
socket.on('world_maintenance_ended', (data) => console.log(`world_maintenance_ended ${data.worldId}`));

process.on('SIGTERM', () => {
  socket.disconnect();
  process.exit(0);
});
