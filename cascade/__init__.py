"""directive-cascade: carries a directive down an organisation tree and brings the answers back up."""
