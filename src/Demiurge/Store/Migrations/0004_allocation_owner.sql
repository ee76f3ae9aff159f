-- The control plane running an allocation's saga. With several control planes, the leader
-- undoes a saga only when its owner is gone (its liveness lock was released), never one that
-- another live instance is still running. NULL for sagas journaled before this column.
ALTER TABLE allocations ADD COLUMN owner TEXT;
