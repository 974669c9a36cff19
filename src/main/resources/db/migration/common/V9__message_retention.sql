-- Retention walks messages by age: content is cleared after mailtree.retention.content, messages and
-- their events are deleted after mailtree.retention.history (hourly statistics are kept).
create index message_by_age on message (created_at);
