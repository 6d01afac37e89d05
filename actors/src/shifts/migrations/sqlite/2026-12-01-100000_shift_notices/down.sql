DROP TABLE shift_notices;
