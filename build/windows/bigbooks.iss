; Inno Setup script for BigBooks Desktop (Windows installer). Compiled by build/build.py when iscc is on PATH:
;   iscc /DAppVersion=0.1.0 /DSourceDir=dist\BigBooks /DOutputDir=dist\installer build\windows\bigbooks.iss
; Installs per user by default (no admin prompt; "Install for all users" in the dialog asks for it), adds a Start
; menu entry (and a desktop icon on request), and an uninstaller. The user's data (BIGBOOKS_HOME or
; %LOCALAPPDATA%\BigBooks Desktop) is left in place on uninstall: it holds the sync history.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\BigBooks"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist\installer"
#endif

[Setup]
AppId={{6E0D3B8A-4F2C-4C7E-9B1A-BB00C5D1E7A1}
AppName=BigBooks Desktop
AppVersion={#AppVersion}
AppVerName=BigBooks Desktop {#AppVersion}
AppPublisher=BigBooks Desktop
DefaultDirName={autopf}\BigBooks Desktop
DefaultGroupName=BigBooks Desktop
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=BigBooks-{#AppVersion}-setup
SetupIconFile=..\..\resources\bigbooks.ico
UninstallDisplayIcon={app}\BigBooks.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
MinVersion=10.0

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\BigBooks Desktop"; Filename: "{app}\BigBooks.exe"
Name: "{autodesktop}\BigBooks Desktop"; Filename: "{app}\BigBooks.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\BigBooks.exe"; Description: "{cm:LaunchProgram,BigBooks Desktop}"; Flags: nowait postinstall skipifsilent
