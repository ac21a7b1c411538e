"""Client bureaus (城管局 and the like), their units and establishment offices;
service agreements (劳务派遣协议) and monthly statements (结算单)."""
