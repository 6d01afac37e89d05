DROP TABLE agora_processes;
