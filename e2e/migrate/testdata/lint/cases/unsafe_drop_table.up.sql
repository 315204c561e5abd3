-- squawk: ban-drop-table
DROP TABLE audit;
