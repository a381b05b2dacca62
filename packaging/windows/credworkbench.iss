; Inno Setup 6 script: the Windows installer for Credential Workbench.
; Built by `make package-windows` on a Windows machine that has Inno Setup
; (iscc on PATH, or ISCC=path\to\ISCC.exe); see packaging/windows/README.md.
; By hand, from the unpacked zip of package-windows:
;   iscc /DAppVersion=1.2.0 /DAppBuild=42 /DVersionLabel=1.2.0 ^
;        /DPayloadDir=C:\path\credworkbench-1.2.0-windows-amd64 /DOutputDir=C:\path\dist ^
;        packaging\windows\credworkbench.iss
; Installs per user without elevation by default; the wizard offers an
; all-users install (Program Files) to administrators.

#ifndef PayloadDir
  #error Pass /DPayloadDir=<folder with "Credential Workbench.exe" and credctl.exe>
#endif
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef AppBuild
  #define AppBuild "1"
#endif
#ifndef VersionLabel
  #define VersionLabel AppVersion
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif
#define AppName "Credential Workbench"
#define AppExe "Credential Workbench.exe"
#define SysEnvKey "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"

[Setup]
; Never change AppId: it ties upgrades and the uninstaller to earlier installs.
AppId={{BF67AD27-440D-4E01-8480-7FE93DF91DA7}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#VersionLabel}
AppPublisher=Credential Workbench contributors
AppPublisherURL=https://github.com/credworkbench/credworkbench
AppSupportURL=https://github.com/credworkbench/credworkbench/issues
VersionInfoVersion={#AppVersion}.{#AppBuild}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64
ArchitecturesInstallIn64BitMode=x64
MinVersion=10.0
; The optional PATH entry for credctl must reach running programs.
ChangesEnvironment=yes
OutputDir={#OutputDir}
OutputBaseFilename=credworkbench-{#VersionLabel}-windows-amd64-setup
SetupIconFile=credworkbench.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add credctl to PATH"; GroupDescription: "Command line:"; Flags: unchecked

[Files]
Source: "{#PayloadDir}\{#AppExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#PayloadDir}\credctl.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#PayloadDir}\README.txt"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Tasks: addtopath; Check: (not IsAdminInstallMode) and NeedsAddPath('{app}')
Root: HKLM; Subkey: "{#SysEnvKey}"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Tasks: addtopath; Check: IsAdminInstallMode and NeedsAddPath('{app}')

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; Profiles (%APPDATA%\credworkbench), Fyne preferences and Credential Manager
; entries belong to the user and stay: docs/install.md says how to remove them.

[Code]
{ The PATH this install mode edits: the user's, or the machine's for all users. }
procedure EnvKey(var RootKey: Integer; var Key: string);
begin
  if IsAdminInstallMode then
  begin
    RootKey := HKLM;
    Key := '{#SysEnvKey}';
  end
  else
  begin
    RootKey := HKCU;
    Key := 'Environment';
  end;
end;

function NeedsAddPath(Dir: string): Boolean;
var
  RootKey: Integer;
  Key, Path: string;
begin
  EnvKey(RootKey, Key);
  Dir := ExpandConstant(Dir);
  if not RegQueryStringValue(RootKey, Key, 'Path', Path) then
    Result := True
  else
    Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;

procedure RemovePath(Dir: string);
var
  RootKey, P: Integer;
  Key, Path: string;
begin
  EnvKey(RootKey, Key);
  if not RegQueryStringValue(RootKey, Key, 'Path', Path) then
    exit;
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';');
  if P = 0 then
    exit;
  { P, where ";Dir;" starts in ";Path;", is where Dir starts in Path }
  if P > 1 then
    Delete(Path, P - 1, Length(Dir) + 1)  { the separator before Dir and Dir }
  else
    Delete(Path, 1, Length(Dir) + 1);     { Dir first: Dir and the separator after it }
  RegWriteExpandStringValue(RootKey, Key, 'Path', Path);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
  begin
    RemovePath(ExpandConstant('{app}'));
  end;
end;
