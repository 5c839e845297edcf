# Kernel settings of the platform's JupyterLab image.
c.InteractiveShellApp.exec_files = ["/opt/jupyter/share/mydocker/memory_notice.py"]  # noqa: F821
