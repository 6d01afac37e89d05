DROP TABLE governance_queue_messages;
DROP TABLE governance_reports;
DROP TABLE governance_proposals;
