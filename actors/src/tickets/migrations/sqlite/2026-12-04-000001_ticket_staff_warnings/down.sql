DROP TABLE ticket_staff_warnings;
