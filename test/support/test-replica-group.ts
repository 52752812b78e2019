// Test bots on the suite's shared state store are separate bots, not replicas of one another: each
// names a replica group of its own (CHATOPS_REPLICA_GROUP), so one running in another test file
// never makes a start without REDIS_URL refuse. Tests of replicas use a database of their own and
// the default group.
import { randomBytes } from 'node:crypto';

export function testReplicaGroup(): string {
  return `test-${process.pid}-${randomBytes(4).toString('hex')}`;
}
