import { seedUsersPostgres } from '../seed-users.ts';
const s = await seedUsersPostgres('postgres://postgres@127.0.0.1:5432/qprobe', 1_000_000);
console.log(s);
